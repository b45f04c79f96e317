/**
 * In the "Register model" dialog: the tracked run that saved the chosen model, with a link to
 * it and its metrics, or plainly that no run is recorded for it (so a missing lineage is seen
 * before registering, not after).
 */
import React from 'react';
import { KeyValueTable } from '../common/KeyValueTable';
import { formatNumber } from '../format';
import { IModelCandidate } from './kernelBridge';

export function SavingRun(props: {
  model: IModelCandidate | undefined;
  onOpenRun: (runId: string, name?: string) => void;
}): JSX.Element {
  const { model } = props;
  const run = model?.run;
  if (!run) {
    return (
      <div
        className="mlops-lab-register-lineage mlops-lab-register-no-run"
        data-testid="mlops-lab-register-lineage"
      >
        <strong>No run is recorded for this model.</strong> It would be registered without
        lineage (no cell, params, metrics or data): {model?.note ?? 'no tracked cell saved it.'}
      </div>
    );
  }
  const metrics = Object.entries(run.metrics ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="mlops-lab-register-lineage" data-testid="mlops-lab-register-lineage">
      Saved by run{' '}
      <button
        className="mlops-lab-link-button"
        data-testid="mlops-lab-register-run"
        title="Open the run in a tab (behind this dialog)"
        onClick={() => props.onOpenRun(run.id, run.name)}
      >
        {run.name}
      </button>
      : its cell, params, metrics and data are kept as lineage.
      <KeyValueTable
        rows={metrics.map(([key, value]) => [key, formatNumber(value)])}
        empty="The run logged no metrics."
        testId="mlops-lab-register-metrics"
      />
    </div>
  );
}
