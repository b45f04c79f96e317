/**
 * A comparison of runs in the main area: params (grouped by model) and metrics side by side,
 * only what differs unless asked; metric histories; parallel coordinates, a scatter and a
 * metric by a param over chosen axes.
 */
import React, { useEffect, useState } from 'react';
import { getRun, IRun } from './api';
import { ApiError } from '../request';
import { MetricHistoryChart } from './CompareCharts';
import { MetricByParam, ParallelCoordinates, ScatterChart } from './CompareAxesCharts';
import { MetricsTable, ParamsDiffTable } from './CompareTables';
import { IField, unionKeys } from './compareFields';
import { FieldChecklist, FieldSelect } from './FieldPickers';
import { ViewStatus } from '../common/ViewStatus';
import { Section } from '../common/Section';
import { Toggle } from '../common/Toggle';

export function CompareView(props: {
  runIds: string[];
  onLoaded?: (runs: IRun[]) => void;
}): JSX.Element {
  const [runs, setRuns] = useState<IRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiffering, setOnlyDiffering] = useState(true);
  const [metric, setMetric] = useState('');
  // The metrics drawn over time; until chosen, the main metric.
  const [historyMetrics, setHistoryMetrics] = useState<IField[] | null>(null);

  useEffect(() => {
    Promise.all(props.runIds.map(getRun)).then(
      loaded => {
        setRuns(loaded);
        props.onLoaded?.(loaded);
        const keys = unionKeys(loaded.map(run => run.metrics));
        setMetric(current => (keys.includes(current) ? current : keys[0] ?? ''));
      },
      (reason: ApiError) => setError(reason.message)
    );
  }, [props.runIds.join(',')]);

  if (!runs) {
    return <ViewStatus error={error} what="runs" />;
  }
  const metrics = unionKeys(runs.map(run => run.metrics)).map(
    (key): IField => ({ kind: 'metric', key })
  );
  const params = unionKeys(runs.map(run => run.params)).map(
    (key): IField => ({ kind: 'param', key })
  );
  const fields = [...params, ...metrics];
  const main: IField = { kind: 'metric', key: metric };
  const drawn = historyMetrics ?? [main];
  return (
    <div className="mlops-lab-view" data-testid="mlops-lab-compare-view">
      <header className="mlops-lab-view-header">
        <h2>Compare {runs.length} runs</h2>
        <Toggle
          label="only what differs"
          checked={onlyDiffering}
          onChange={setOnlyDiffering}
          testId="mlops-lab-only-differs"
        />
      </header>
      <Section title="Params">
        <ParamsDiffTable runs={runs} onlyDiffering={onlyDiffering} />
      </Section>
      <Section title="Metrics">
        <MetricsTable runs={runs} onlyDiffering={onlyDiffering} />
      </Section>
      {metrics.length > 0 && (
        <section className="mlops-lab-section">
          <h3 className="mlops-lab-section-title-row">
            Charts
            <FieldSelect
              label="main metric"
              fields={metrics}
              value={main}
              onChange={field => setMetric(field.key)}
              testId="mlops-lab-compare-metric"
            />
          </h3>
          <figure className="mlops-lab-compare-chart">
            <figcaption>
              Metric history
              <FieldChecklist
                label="metrics"
                fields={metrics}
                chosen={drawn}
                onChange={setHistoryMetrics}
                testId="mlops-lab-history-metrics"
              />
            </figcaption>
            {drawn.length > 0 ? (
              <MetricHistoryChart runs={runs} metrics={drawn.map(field => field.key)} />
            ) : (
              <p className="mlops-lab-muted">Choose the metrics to draw.</p>
            )}
          </figure>
          <div className="mlops-lab-compare-charts">
            {/* A new main metric starts the axes over from their defaults. */}
            <ParallelCoordinates key={metric} runs={runs} fields={fields} mainMetric={metric} />
            <ScatterChart runs={runs} fields={fields} mainMetric={metric} />
            <MetricByParam runs={runs} fields={fields} mainMetric={metric} />
          </div>
        </section>
      )}
    </div>
  );
}

