/**
 * A monitor in the main area: what it watches and against what, drift over time, the latest
 * comparison feature by feature, performance over time, staleness and prediction drift. One
 * request (the monitor's view); "Run now" stores a new run and loads the view again.
 */
import React, { useMemo, useState } from 'react';
import { absoluteTime, formatNumber, humanDuration, relativeTime } from '../format';
import { KeyValueTable } from '../common/KeyValueTable';
import { PlotlyChart } from '../common/PlotlyChart';
import { Section } from '../common/Section';
import { StatusBadge } from '../common/StatusBadge';
import { ViewStatus } from '../common/ViewStatus';
import { ON_DEMAND, usePoll, usePolling } from '../usePolling';
import {
  getMonitor,
  IMonitor,
  IMonitorOverview,
  IMonitorRun,
  newestMonitorRun,
  runMonitor
} from './api';
import { DRIFT_LAYOUT, driftOverTime, hasPerformance, performanceOverTime } from './charts';
import { FeaturePicture, LatestComparison } from './LatestComparison';

export interface IMonitorViewProps {
  name: string;
  /** Changes when the monitor was run elsewhere (the side panel): load again. */
  generation: number;
  /** Whether the view is showing: only then does it look for newer runs. */
  visible: boolean;
  /** Seconds between looks for a newer run (the panel's refresh setting; 0: never). */
  refreshInterval: number;
  onLoaded?: (monitor: IMonitorOverview) => void;
  onRan?: () => void;
}

function rows(count: number | null | undefined): string {
  return count === null || count === undefined ? '?' : count.toLocaleString();
}

/** What the monitor reads as current data, in words (the server's `current`: `last` rows
 * and/or `window_s` seconds of the prediction log, or a dataset's newest `snapshot`). */
export function currentSpec(monitor: IMonitor): string {
  const spec = monitor.current as { last?: number; window_s?: number; snapshot?: string };
  if (spec.snapshot) {
    return spec.snapshot.includes('@')
      ? `snapshot ${spec.snapshot}`
      : `the newest snapshot of ${spec.snapshot}`;
  }
  const parts: string[] = [];
  if (spec.last) {
    parts.push(`the last ${spec.last.toLocaleString()} predictions`);
  }
  if (spec.window_s) {
    parts.push(`the predictions of the last ${humanDuration(spec.window_s)}`);
  }
  return parts.length ? parts.join(', within ') : 'the last 10,000 predictions';
}

export function MonitorView(props: IMonitorViewProps): JSX.Element {
  const { name } = props;
  const polled = usePolling(
    () =>
      getMonitor(name).then(found => {
        props.onLoaded?.(found);
        return found;
      }),
    [name, props.generation],
    ON_DEMAND
  );
  const { data: monitor, error, setError, reload } = polled;
  const [running, setRunning] = useState(false);
  // A run stored elsewhere (the scheduler, a notebook, the command line) loads the view again;
  // the look is one brief run, the view is loaded only when that run is new.
  usePoll(
    () =>
      newestMonitorRun(name).then(newest => {
        const shown = monitor?.runs[0]?.id ?? null;
        if (monitor && (newest?.id ?? null) !== shown) {
          reload();
        }
      }),
    { active: props.visible && monitor !== null, seconds: props.refreshInterval }
  );

  const runNow = () => {
    setRunning(true);
    // The answer loads the view (and the side panel) again through onRan.
    runMonitor(name)
      .then(
        () => (props.onRan ? props.onRan() : reload()),
        reason => setError((reason as Error).message)
      )
      .finally(() => setRunning(false));
  };

  if (!monitor) {
    return <ViewStatus error={error} what="monitor" />;
  }
  const latest = monitor.latest;
  const last = monitor.runs[0] ?? null;
  return (
    <div className="mlops-lab-view mlops-lab-monitor-view" data-testid="mlops-lab-monitor-view">
      <header className="mlops-lab-view-header">
        <h2 title={monitor.name}>{monitor.name}</h2>
        {last && <StatusBadge status={last.status} testId="mlops-lab-monitor-view-status" />}
        <span className="mlops-lab-chip" data-testid="mlops-lab-monitor-run-count">
          {monitor.runs.length} {monitor.runs.length === 1 ? 'run' : 'runs'}
        </span>
        <button
          className="jp-mod-styled mlops-lab-small-button"
          data-testid="mlops-lab-monitor-view-run-now"
          disabled={running}
          onClick={runNow}
        >
          {running ? 'Running…' : 'Run now'}
        </button>
        <button className="mlops-lab-link-button" onClick={reload} title="Load the monitor again">
          Reload
        </button>
      </header>
      {error && (
        <div className="mlops-lab-banner" role="alert">
          {error}{' '}
          <button className="mlops-lab-link-button" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
      <Facts monitor={monitor} />
      {monitor.runs.length === 0 ? (
        <p className="mlops-lab-empty" data-testid="mlops-lab-monitor-no-runs">
          No runs yet: press “Run now”, give the monitor a schedule, or run
          ml.run_monitor('{monitor.name}') in a notebook.
        </p>
      ) : (
        <>
          <DriftOverTime monitor={monitor} />
          {latest?.result.drift ? (
            <LatestComparison
              report={latest.result.drift}
              caption={
                <>
                  Run {latest.id} ({relativeTime(latest.started_at)}): {latest.result.current ?? 'current data'} (
                  {rows(latest.result.rows_current)} rows) against{' '}
                  {latest.result.reference ?? 'the reference'} (
                  {rows(latest.result.rows_reference)} rows).{' '}
                  {latest.result.message ?? ''}
                </>
              }
            />
          ) : (
            <Section title="Latest comparison" testId="mlops-lab-monitor-comparison">
              <p className="mlops-lab-muted">
                No run has compared data yet: {last?.message ?? last?.error ?? 'nothing to compare'}.
                Log predictions through the model server (or give the monitor a snapshot), then
                run it again.
              </p>
            </Section>
          )}
          <PerformanceOverTime monitor={monitor} latest={latest} />
          <div className="mlops-lab-columns">
            <Staleness latest={latest} />
            <PredictionDrift latest={latest} />
          </div>
        </>
      )}
    </div>
  );
}

function Facts(props: { monitor: IMonitorOverview }): JSX.Element {
  const { monitor } = props;
  const last = monitor.runs[0] ?? null;
  const reference =
    monitor.latest?.result.reference ??
    monitor.reference ??
    `the snapshot version ${monitor.reference_version ?? '(current)'} of ${monitor.model} was trained on`;
  return (
    <dl className="mlops-lab-facts" data-testid="mlops-lab-monitor-facts">
      <dt>Target</dt>
      <dd>
        {monitor.target}
        {last?.model_version !== null && last?.model_version !== undefined
          ? ` (version ${last.model_version} at the last run)`
          : ''}
      </dd>
      <dt>Reference</dt>
      <dd>{reference}</dd>
      <dt>Current</dt>
      <dd>{currentSpec(monitor)}</dd>
      <dt>Schedule</dt>
      <dd>
        {monitor.schedule ? (
          <>
            <code>{monitor.schedule}</code> (UTC)
            {monitor.next_run_at ? `, next ${absoluteTime(monitor.next_run_at)}` : ''}
          </>
        ) : (
          'none: runs when asked (Run now)'
        )}
      </dd>
      <dt>Last status</dt>
      <dd data-testid="mlops-lab-monitor-last-status">
        {last ? (
          <>
            {last.status} {relativeTime(last.started_at)}
            {last.message ? `: ${last.message}` : ''}
            {last.error ? `: ${last.error}` : ''}
          </>
        ) : (
          'never run'
        )}
      </dd>
    </dl>
  );
}

function DriftOverTime(props: { monitor: IMonitorOverview }): JSX.Element {
  const data = useMemo(() => driftOverTime(props.monitor.runs), [props.monitor]);
  return (
    <Section title="Drift over time" testId="mlops-lab-monitor-drift-over-time">
      <p className="mlops-lab-muted">
        Effect size per feature in each run (left axis) and the share of drifted features
        (dotted, right axis); the last {props.monitor.runs.length} runs.
      </p>
      <PlotlyChart data={data} layout={DRIFT_LAYOUT} height={280} />
    </Section>
  );
}

const PERFORMANCE_LAYOUT = { margin: { l: 56, r: 16, t: 16, b: 36 }, hovermode: 'x unified' };

function PerformanceOverTime(props: {
  monitor: IMonitorOverview;
  latest: IMonitorRun | null;
}): JSX.Element {
  const { runs } = props.monitor;
  const data = useMemo(() => performanceOverTime(runs), [runs]);
  const note = props.latest?.result.performance?.note;
  return (
    <Section title="Performance over time" testId="mlops-lab-monitor-performance">
      {hasPerformance(runs) ? (
        <>
          <p className="mlops-lab-muted">
            Solid: measured on labelled predictions; dashed: estimated until labels arrive;
            dotted: the value on the training data.
            {note ? ` Latest run: ${note}.` : ''}
          </p>
          <PlotlyChart data={data} layout={PERFORMANCE_LAYOUT} height={240} />
        </>
      ) : (
        <p className="mlops-lab-muted" data-testid="mlops-lab-monitor-no-performance">
          No performance yet: create the monitor with a metric (metric='accuracy') for an estimate,
          then log the true outcomes with ml.log_labels(request_ids, labels) to measure it.
          {note ? ` ${note}.` : ''}
        </p>
      )}
    </Section>
  );
}

function Staleness(props: { latest: IMonitorRun | null }): JSX.Element {
  const s = props.latest?.result.staleness;
  const rows: [string, React.ReactNode][] = s
    ? [
        ['Model version age', humanDuration(s.version_age_s) || '—'],
        ['Since the last retraining', humanDuration(s.since_retraining_s) || '—'],
        ['Training data age', humanDuration(s.training_data_age_s) || '—'],
        // Only for a version that read feature sets.
        ...(s.feature_data_age_s !== null && s.feature_data_age_s !== undefined
          ? [['Feature data age', humanDuration(s.feature_data_age_s)] as [string, string]]
          : []),
        ['Since the last prediction', humanDuration(s.since_prediction_s) || 'no prediction logged']
      ]
    : [];
  return (
    <Section title="Staleness" testId="mlops-lab-monitor-staleness">
      <KeyValueTable rows={rows} empty="No staleness figures yet: run the monitor." />
    </Section>
  );
}

function PredictionDrift(props: { latest: IMonitorRun | null }): JSX.Element {
  const feature = props.latest?.result.prediction_drift?.features?.[0] ?? null;
  return (
    <Section title="Prediction drift" testId="mlops-lab-monitor-prediction-drift">
      {feature ? (
        <>
          <KeyValueTable
            rows={[
              ['Status', feature.drifted ? 'drifted' : feature.status],
              ['Method', feature.method ?? '—'],
              ['p-value (adj.)', formatNumber(feature.p_value_adjusted ?? feature.p_value)],
              [
                'Effect size / threshold',
                `${formatNumber(feature.effect_size)} / ${formatNumber(feature.threshold)}`
              ]
            ]}
            empty=""
          />
          <FeaturePicture feature={feature} />
        </>
      ) : (
        <p className="mlops-lab-muted">
          No prediction drift: the latest run had no logged predictions to compare.
        </p>
      )}
    </Section>
  );
}
