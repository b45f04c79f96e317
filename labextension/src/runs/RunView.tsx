/**
 * A run in the main area: status, times, error, params, metrics (with history),
 * source cell, environment, tags and artifacts.
 */
import React, { useState } from 'react';
import { getRun, IArtifact, IRun, IRunSource, listArtifacts } from './api';
import { absoluteTime, formatDuration, formatNumber, runDuration } from '../format';
import { ArtifactList } from './ArtifactList';
import { KeyValueTable } from '../common/KeyValueTable';
import { MetricHistories } from './MetricHistories';
import { RunEnvironment } from './RunEnvironment';
import { RunSource } from './RunSource';
import { RunLinks } from './RunLinks';
import { StatusBadge } from '../common/StatusBadge';
import { ReproduceButton } from '../pipelines/ReproduceButton';
import { Section } from '../common/Section';
import { ViewStatus } from '../common/ViewStatus';
import { usePolling } from '../usePolling';

const FOLLOW_SECONDS = 2;

export interface IRunViewProps {
  runId: string;
  /** Opens the notebook, at the run's cell when `at` is its source. */
  onOpenNotebook: (path: string, at?: IRunSource) => void;
  onLoaded?: (run: IRun) => void;
}


export function RunView(props: IRunViewProps): JSX.Element {
  const [running, setRunning] = useState(true);
  // A run still going is followed (its metrics, duration, status); Reload loads it any time.
  const polled = usePolling(
    async () => {
      const [found, artifacts] = await Promise.all([
        getRun(props.runId),
        listArtifacts(props.runId).catch(() => [] as IArtifact[])
      ]);
      props.onLoaded?.(found);
      setRunning(found.status === 'RUNNING');
      return { run: found, artifacts };
    },
    [props.runId],
    { visible: running, refreshInterval: FOLLOW_SECONDS }
  );
  const { error, reload: load } = polled;
  const { run, artifacts } = polled.data ?? { run: null, artifacts: null };

  if (!run) {
    return <ViewStatus error={error} what="run" />;
  }

  const metricKeys = Object.keys(run.metrics);
  return (
    <div className="mlops-lab-view" data-testid="mlops-lab-run-view">
      <header className="mlops-lab-view-header">
        <h2 title={run.name}>{run.name}</h2>
        <StatusBadge status={run.status} />
        <ReproduceButton run={run} />
        <button className="mlops-lab-link-button" onClick={load} title="Load the run again">
          Reload
        </button>
      </header>
      <dl className="mlops-lab-facts">
        <dt>Run id</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Started</dt>
        <dd>{absoluteTime(run.start_time)}</dd>
        <dt>Ended</dt>
        <dd>{run.end_time ? absoluteTime(run.end_time) : '—'}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(runDuration(run)) || '—'}</dd>
        {run.parent_run_id && (
          <>
            <dt>Parent run</dt>
            <dd>
              <code>{run.parent_run_id}</code>
            </dd>
          </>
        )}
      </dl>
      {run.error && (
        <Section title="Error">
          <pre className="mlops-lab-code mlops-lab-error-block" data-testid="mlops-lab-run-error">
            {run.error}
          </pre>
        </Section>
      )}
      <div className="mlops-lab-columns">
        <Section title="Params">
          <KeyValueTable
            testId="mlops-lab-params"
            rows={Object.entries(run.params)}
            empty="No params."
          />
        </Section>
        <Section title="Metrics">
          <KeyValueTable
            testId="mlops-lab-metrics"
            rows={metricKeys.map(key => [
              key,
              <span className="mlops-lab-num" title={String(run.metrics[key])}>
                {formatNumber(run.metrics[key])}
              </span>
            ])}
            empty="No metrics."
          />
        </Section>
      </div>
      <MetricHistories runId={run.id} keys={metricKeys} latest={JSON.stringify(run.metrics)} />
      <Section title="Source">
        <RunSource source={run.source} onOpenNotebook={props.onOpenNotebook} />
      </Section>
      <div className="mlops-lab-columns">
        <Section title="Environment">
          <RunEnvironment environment={run.environment} />
        </Section>
        <Section title="Tags">
          <KeyValueTable rows={Object.entries(run.tags)} empty="No tags." />
        </Section>
      </div>
      <Section title="Artifacts">
        <ArtifactList runId={run.id} artifacts={artifacts} />
      </Section>
      <Section title="Inputs and outputs">
        <RunLinks links={run.links} />
      </Section>
    </div>
  );
}
