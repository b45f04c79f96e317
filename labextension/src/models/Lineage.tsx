/**
 * Where a version came from, left to right: version → run → cell in its notebook → the data
 * and feature versions the run read. Runs open in their own tab; notebooks open in JupyterLab.
 */
import React from 'react';
import { RunSource } from '../runs/RunSource';
import { ILineage } from './api';

const KIND_LABELS: Record<string, string> = {
  snapshot: 'dataset',
  feature_set: 'features',
  training_set: 'training set',
  model_version: 'model version'
};

export function Lineage(props: {
  lineage: ILineage;
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
}): JSX.Element {
  const { lineage } = props;
  const run = lineage.run;
  return (
    <div className="mlops-lab-lineage">
      <div className="mlops-lab-lineage-chain" data-testid="mlops-lab-lineage-chain">
        <div className="mlops-lab-lineage-node">
          <span className="mlops-lab-lineage-kind">model version</span>
          <span>{lineage.version}</span>
        </div>
        <span className="mlops-lab-lineage-arrow" aria-hidden="true">
          ←
        </span>
        {run ? (
          <button
            className="mlops-lab-lineage-node mlops-lab-lineage-run"
            data-testid="mlops-lab-lineage-run"
            title="Open the run"
            onClick={() => props.onOpenRun(run.id, run.name)}
          >
            <span className="mlops-lab-lineage-kind">run · {run.status.toLowerCase()}</span>
            <span>{run.name}</span>
          </button>
        ) : (
          <div className="mlops-lab-lineage-node mlops-lab-muted">no run recorded</div>
        )}
        {lineage.source.notebook && (
          <>
            <span className="mlops-lab-lineage-arrow" aria-hidden="true">
              ←
            </span>
            <div className="mlops-lab-lineage-node">
              <span className="mlops-lab-lineage-kind">cell</span>
              <span title={lineage.source.notebook}>
                {lineage.source.notebook.split('/').pop()}
                {lineage.source.execution_count !== null &&
                lineage.source.execution_count !== undefined
                  ? ` [${lineage.source.execution_count}]`
                  : ''}
              </span>
            </div>
          </>
        )}
        {lineage.inputs.length > 0 && (
          <>
            <span className="mlops-lab-lineage-arrow" aria-hidden="true">
              ←
            </span>
            <div className="mlops-lab-lineage-inputs">
              {lineage.inputs.map(input => (
                <div
                  className="mlops-lab-lineage-node"
                  key={`${input.kind}:${input.ref}`}
                  data-testid="mlops-lab-lineage-input"
                >
                  <span className="mlops-lab-lineage-kind">
                    {KIND_LABELS[input.kind] ?? input.kind}
                  </span>
                  <span title={input.ref}>{input.label}</span>
                </div>
              ))}
            </div>
          </>
        )}
      </div>
      {lineage.artifact && (
        <p className="mlops-lab-muted">
          Registered from the run’s artifact <code>{lineage.artifact}</code>.
        </p>
      )}
      {(lineage.source.cell || lineage.source.notebook) && (
        <RunSource source={lineage.source} onOpenNotebook={props.onOpenNotebook} />
      )}
    </div>
  );
}
