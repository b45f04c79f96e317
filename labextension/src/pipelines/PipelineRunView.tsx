/**
 * A pipeline run in the main area: status, notebook, parameters, outputs, the failing cell
 * with its error, the log, the output notebook (opened in JupyterLab), cancel and reproduce;
 * for a reproduction, its verdict and what differs from the original.
 */
import React, { useEffect, useRef, useState } from 'react';
import { ApiError } from '../request';
import { StatusBadge } from '../common/StatusBadge';
import { ViewStatus } from '../common/ViewStatus';
import { usePolling } from '../usePolling';
import { absoluteTime, formatDuration } from '../format';
import {
  cancelPipelineRun,
  ENDED,
  getComparison,
  getPipelineRun,
  IPipelineRun,
  pipelineRunLog
} from './api';
import { ReproduceButton, ReproductionVerdict } from './ReproduceButton';
import { fileName, openPipelineRun, showValue } from './shared';
import { Section } from '../common/Section';

const FOLLOW_SECONDS = 1;

export interface IPipelineRunViewProps {
  id: string;
  onOpenNotebook: (path: string) => void;
  onOpenRun: (runId: string) => void;
  onLoaded?: (run: IPipelineRun) => void;
}

export function PipelineRunView(props: IPipelineRunViewProps): JSX.Element {
  const [ended, setEnded] = useState(false);
  // Follow a run that has not ended yet; its last answer (ended) is kept.
  const polled = usePolling(
    async () => {
      const found = await getPipelineRun(props.id);
      props.onLoaded?.(found);
      setEnded(ENDED.includes(found.status));
      // While the run goes on its log's end is kept; once it ended, the whole log.
      const [text, comparison] = await Promise.all([
        pipelineRunLog(found.id).catch(() => ''),
        ENDED.includes(found.status) && found.reproduce_of
          ? getComparison(found.id).catch(() => null)
          : null
      ]);
      return { run: found, log: text || null, comparison };
    },
    [props.id],
    { visible: !ended, refreshInterval: FOLLOW_SECONDS }
  );
  const { error, setError, reload } = polled;
  const { run, log, comparison } = polled.data ?? { run: null, log: null, comparison: null };

  if (error || !run) {
    return <ViewStatus error={error} what="pipeline run" />;
  }
  const cell = run.failing_cell;
  return (
    <div className="mlops-lab-view mlops-lab-pipeline-view" data-testid="mlops-lab-pipeline-view">
      <div className="mlops-lab-view-header">
        <h2>Pipeline run of {fileName(run.notebook)}</h2>
        <StatusBadge status={run.status} testId="mlops-lab-pipeline-status" />
        {run.output_path && (
          <button
            className="jp-mod-styled mlops-lab-button"
            data-testid="mlops-lab-open-output"
            onClick={() => props.onOpenNotebook(run.output_path!)}
          >
            Open output notebook
          </button>
        )}
        {!ENDED.includes(run.status) && (
          <button
            className="jp-mod-styled mlops-lab-button"
            onClick={() => cancelPipelineRun(run.id).then(reload, (r: ApiError) => setError(r.message))}
          >
            Cancel
          </button>
        )}
        {ENDED.includes(run.status) && <ReproduceButton pipelineRunId={run.id} />}
      </div>
      <section className="mlops-lab-section">
        <table className="mlops-lab-kv">
          <tbody>
            <tr>
              <th>Notebook</th>
              <td>
                {run.notebook_path ? (
                  <button className="mlops-lab-link-button" onClick={() => props.onOpenNotebook(run.notebook_path!)}>
                    {run.notebook_path}
                  </button>
                ) : (
                  run.notebook
                )}
              </td>
            </tr>
            <tr>
              <th>Snapshot</th>
              <td>
                <code>{(run.notebook_hash ?? '-').slice(0, 16)}</code>
              </td>
            </tr>
            <tr>
              <th>Started</th>
              <td>{absoluteTime(run.started_at ?? run.created_at)}</td>
            </tr>
            <tr>
              <th>Duration</th>
              <td>
                {run.duration_ms !== null || run.started_at === null
                  ? formatDuration(run.duration_ms)
                  : `${formatDuration(Date.now() - run.started_at)} so far`}
              </td>
            </tr>
            {run.attempt > 1 && (
              <tr>
                <th>Attempts</th>
                <td>{run.attempt}</td>
              </tr>
            )}
            {run.run_id && (
              <tr>
                <th>Tracked run</th>
                <td>
                  <button
                    className="mlops-lab-link-button"
                    data-testid="mlops-lab-tracked-run"
                    onClick={() => props.onOpenRun(run.run_id!)}
                  >
                    {run.run_id.slice(0, 8)}
                  </button>
                </td>
              </tr>
            )}
            {run.reproduce_of && (
              <tr>
                <th>Reproduces</th>
                <td>
                  <button className="mlops-lab-link-button" onClick={() => openPipelineRun(run.reproduce_of!)}>
                    {run.reproduce_of.slice(0, 8)}
                  </button>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <Section title="Parameters" testId="mlops-lab-pipeline-parameters">
        <ValueTable values={parameterValues(run)} empty="No parameters." />
      </Section>
      <Section title="Outputs" testId="mlops-lab-pipeline-outputs">
        <ValueTable values={run.outputs} empty="Nothing recorded with ml.output()." />
      </Section>
      {run.error && (
        <Section title="Error" testId="mlops-lab-pipeline-error">
          <div className="mlops-lab-banner" role="alert">
            {run.error}
          </div>
          {cell && (
            <>
              <h4>
                Failing cell {cell.execution_count ?? cell.index} — {cell.ename}
              </h4>
              <pre className="mlops-lab-pipeline-code">{cell.source}</pre>
              <pre className="mlops-lab-pipeline-traceback">{cell.traceback.join('\n')}</pre>
            </>
          )}
        </Section>
      )}
      {comparison && <ReproductionVerdict comparison={comparison} />}
      <Section title="Log">
        {log === null ? (
          <p className="mlops-lab-empty">
            {ENDED.includes(run.status) ? 'No log.' : 'No log lines yet.'}
          </p>
        ) : (
          <FollowedLog text={log} />
        )}
      </Section>
    </div>
  );
}

/** Each parameter the run used, marked given, default or not declared (older runs: the given). */
function parameterValues(run: IPipelineRun): Record<string, unknown> {
  const effective = run.effective_parameters ?? {};
  if (Object.keys(effective).length === 0) {
    return run.parameters;
  }
  return Object.fromEntries(
    Object.entries(effective).map(([name, p]) => [
      name,
      `${p.text ?? p.expression ?? JSON.stringify(p.value)} (${p.from})`
    ])
  );
}

function ValueTable(props: { values: Record<string, unknown>; empty: string }): JSX.Element {
  const entries = Object.entries(props.values);
  if (entries.length === 0) {
    return <p className="mlops-lab-empty">{props.empty}</p>;
  }
  return (
    <table className="mlops-lab-kv">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th>{key}</th>
            <td>{showValue(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The log, kept scrolled to its end as lines arrive unless the reader scrolled up. */
function FollowedLog(props: { text: string }): JSX.Element {
  const node = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useEffect(() => {
    if (node.current && atEnd.current) {
      node.current.scrollTop = node.current.scrollHeight;
    }
  }, [props.text]);
  return (
    <pre
      ref={node}
      className="mlops-lab-pipeline-log"
      data-testid="mlops-lab-pipeline-log"
      onScroll={event => {
        const pre = event.currentTarget;
        atEnd.current = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      }}
    >
      {props.text}
    </pre>
  );
}
