/**
 * The cell a run came from, with where it lives and a link that opens the notebook at it.
 */
import React from 'react';
import { IRunSource } from './api';
import { notebookServerPath } from '../paths';

export function RunSource(props: {
  source: IRunSource | undefined;
  onOpenNotebook: (path: string, at?: IRunSource) => void;
}): JSX.Element {
  const source = props.source ?? {};
  if (!source.cell && !source.notebook) {
    return <p className="mlops-lab-muted">No source was recorded for this run.</p>;
  }
  const openable = source.notebook ? notebookServerPath(source.notebook) : null;
  return (
    <div className="mlops-lab-source" data-testid="mlops-lab-source">
      <div className="mlops-lab-source-meta">
        {source.notebook && (
          <span title={source.notebook}>
            {source.notebook}
            {source.execution_count !== null && source.execution_count !== undefined
              ? ` · cell [${source.execution_count}]`
              : ''}
          </span>
        )}
        {source.kind && <span className="mlops-lab-chip">{source.kind}</span>}
        {openable !== null && (
          <button
            className="mlops-lab-link-button"
            data-testid="mlops-lab-open-notebook"
            onClick={() => props.onOpenNotebook(openable, source)}
          >
            {source.cell ? 'Open notebook at this cell' : 'Open notebook'}
          </button>
        )}
      </div>
      {source.cell && <pre className="mlops-lab-code">{source.cell}</pre>}
    </div>
  );
}
