/**
 * A DAG run in the main area: its status, the graph of its steps coloured by status, each
 * step's parameters, outputs and error, and "Resume" for a failed run. Polls while it runs.
 */
import React, { useState } from 'react';
import { ApiError } from '../request';
import { absoluteTime, formatDuration } from '../format';
import { getDagRun, IDagRun, IDagStep, resumeDagRun } from './api';
import { DagGraph } from './DagGraph';
import { StatusBadge } from '../common/StatusBadge';
import { ViewStatus } from '../common/ViewStatus';
import { usePolling } from '../usePolling';
import { ErrorBanner } from '../common/ErrorBanner';

const POLL_SECONDS = 1.5;

export interface IDagViewProps {
  dagRunId: string;
  onOpenRun: (runId: string, name?: string) => void;
  onLoaded?: (run: IDagRun) => void;
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

export function DagView(props: IDagViewProps): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [running, setRunning] = useState(true);
  // Followed while it runs; a Reload button loads it again at any time.
  const polled = usePolling(
    async () => {
      const loaded = await getDagRun(props.dagRunId);
      props.onLoaded?.(loaded);
      setRunning(loaded.status === 'RUNNING');
      return loaded;
    },
    [props.dagRunId],
    { visible: running, refreshInterval: POLL_SECONDS }
  );
  const { data: run, error, setError, reload } = polled;

  const resume = () => {
    setBusy(true);
    resumeDagRun(props.dagRunId).then(
      () => {
        setBusy(false);
        reload();
      },
      (reason: ApiError) => {
        setError(reason.message);
        setBusy(false);
      }
    );
  };

  const select = (step: IDagStep) => {
    setSelected(step.name);
    if (step.run_id) {
      props.onOpenRun(step.run_id, step.name);
    }
  };

  if (!run) {
    return <ViewStatus error={error} what="DAG run" />;
  }
  const chosen = run.steps.find(s => s.name === selected) ?? null;
  return (
    <div className="mlops-lab-view mlops-lab-dag-view" data-testid="mlops-lab-dag-view">
      <header className="mlops-lab-view-header">
        <h2 title={run.name}>{run.name}</h2>
        <StatusBadge status={run.status} />
        <span className="mlops-lab-dag-actions">
          {run.status === 'FAILED' && (
            <button
              className="jp-mod-styled jp-mod-accept mlops-lab-dag-resume"
              data-testid="mlops-lab-dag-resume"
              disabled={busy}
              title="Run the failed and skipped steps again, reusing what succeeded"
              onClick={resume}
            >
              Resume
            </button>
          )}
          <button
            className="mlops-lab-link-button"
            title="Load the DAG run again"
            onClick={reload}
          >
            Reload
          </button>
        </span>
      </header>
      <ErrorBanner message={error} />
      <dl className="mlops-lab-facts">
        <dt>DAG run id</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Pipeline file</dt>
        <dd>
          <code>{run.file}</code>
        </dd>
        <dt>Attempt</dt>
        <dd>{run.attempt}</dd>
        <dt>Started</dt>
        <dd>{absoluteTime(run.started_at)}</dd>
        <dt>Duration</dt>
        <dd>{run.duration_ms !== null ? formatDuration(run.duration_ms) : running ? 'running…' : '—'}</dd>
        {run.error && (
          <>
            <dt>Error</dt>
            <dd className="mlops-lab-dag-error">{run.error}</dd>
          </>
        )}
      </dl>
      <section className="mlops-lab-section">
        <h3>Graph</h3>
        <div className="mlops-lab-dag-graph-scroll">
          <DagGraph steps={run.steps} selected={selected} onSelect={select} />
        </div>
        <p className="mlops-lab-muted mlops-lab-dag-hint">
          Click a step to open its run; an arrow goes from a step to the steps that use it.
        </p>
      </section>
      <section className="mlops-lab-section">
        <h3>Steps</h3>
        <table className="mlops-lab-dag-steps" data-testid="mlops-lab-dag-steps">
          <thead>
            <tr>
              <th>Step</th>
              <th>Status</th>
              <th>Notebook</th>
              <th>Duration</th>
              <th>Parameters</th>
              <th>Outputs / error</th>
            </tr>
          </thead>
          <tbody>
            {run.steps.map(step => (
              <tr
                key={step.name}
                className={chosen?.name === step.name ? 'mlops-lab-dag-row-selected' : ''}
                onClick={() => setSelected(step.name)}
              >
                <td>
                  {step.run_id ? (
                    <button
                      className="mlops-lab-link-button"
                      title="Open the step's run"
                      onClick={() => props.onOpenRun(step.run_id!, step.name)}
                    >
                      {step.name}
                    </button>
                  ) : (
                    step.name
                  )}
                </td>
                <td>
                  <StatusBadge status={step.status} />
                </td>
                <td title={step.notebook}>{step.notebook.split('/').pop()}</td>
                <td>{formatDuration(step.duration_ms)}</td>
                <td className="mlops-lab-dag-json">
                  {json(
                    step.status === 'PENDING' || step.status === 'SKIPPED'
                      ? step.declared_parameters
                      : step.parameters
                  )}
                </td>
                <td className={step.error ? 'mlops-lab-dag-error' : 'mlops-lab-dag-json'}>
                  {step.error ?? json(step.outputs)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
