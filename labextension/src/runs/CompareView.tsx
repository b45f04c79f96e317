/**
 * A comparison of runs in the main area: params diff, metrics side by side,
 * metric histories and parallel coordinates for a chosen metric.
 */
import React, { useEffect, useState } from 'react';
import { getRun, IRun } from './api';
import { ApiError } from '../request';
import { MetricHistoryChart, ParallelCoordinates } from './CompareCharts';
import { MetricsTable, ParamsDiffTable } from './CompareTables';
import { ViewStatus } from '../common/ViewStatus';
import { Section } from '../common/Section';

export function CompareView(props: { runIds: string[] }): JSX.Element {
  const [runs, setRuns] = useState<IRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metric, setMetric] = useState('');

  useEffect(() => {
    Promise.all(props.runIds.map(getRun)).then(
      loaded => {
        setRuns(loaded);
        const keys = metricKeys(loaded);
        setMetric(current => (keys.includes(current) ? current : keys[0] ?? ''));
      },
      (reason: ApiError) => setError(reason.message)
    );
  }, [props.runIds.join(',')]);

  if (!runs) {
    return <ViewStatus error={error} what="runs" />;
  }
  const keys = metricKeys(runs);
  return (
    <div className="mlops-lab-view" data-testid="mlops-lab-compare-view">
      <header className="mlops-lab-view-header">
        <h2>Compare {runs.length} runs</h2>
      </header>
      <Section title="Params">
        <ParamsDiffTable runs={runs} />
      </Section>
      <Section title="Metrics">
        <MetricsTable runs={runs} />
      </Section>
      {keys.length > 0 && (
        <section className="mlops-lab-section">
          <h3 className="mlops-lab-section-title-row">
            Charts
            <label className="mlops-lab-inline-label">
              metric
              <select
                className="jp-mod-styled"
                data-testid="mlops-lab-compare-metric"
                value={metric}
                onChange={event => setMetric(event.target.value)}
              >
                {keys.map(key => (
                  <option key={key} value={key}>
                    {key}
                  </option>
                ))}
              </select>
            </label>
          </h3>
          <div className="mlops-lab-compare-charts">
            <MetricHistoryChart runs={runs} metric={metric} />
            <ParallelCoordinates runs={runs} metric={metric} />
          </div>
        </section>
      )}
    </div>
  );
}

function metricKeys(runs: IRun[]): string[] {
  return [...new Set(runs.flatMap(run => Object.keys(run.metrics)))].sort((a, b) =>
    a.localeCompare(b)
  );
}
