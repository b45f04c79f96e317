/**
 * Small line charts of each metric that was logged more than once.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { IMetric, metricHistories } from './api';
import { metricNumber } from '../format';
import { PlotlyChart } from '../common/PlotlyChart';

// Charts beyond this many metrics would make the page slow to open.
const MAX_CHARTS = 24;

export function MetricHistories(props: {
  runId: string;
  keys: string[];
  /** The run's latest metric values: when they change (a run going on), load again. */
  latest?: string;
}): JSX.Element | null {
  const [histories, setHistories] = useState<Record<string, IMetric[]>>({});
  const keys = useMemo(() => props.keys.slice(0, MAX_CHARTS), [props.keys.join('\n')]);

  useEffect(() => {
    let cancelled = false;
    if (keys.length === 0) {
      return;
    }
    metricHistories(props.runId, keys).then(
      found => !cancelled && setHistories(found),
      () => !cancelled && setHistories({})
    );
    return () => {
      cancelled = true;
    };
  }, [props.runId, keys, props.latest]);

  const charted = keys.filter(key => (histories[key]?.length ?? 0) > 1);
  if (charted.length === 0) {
    return null;
  }
  return (
    <div className="mlops-lab-chart-grid" data-testid="mlops-lab-metric-charts">
      {charted.map(key => (
        <MetricChart key={key} metric={key} history={histories[key]} />
      ))}
    </div>
  );
}

function MetricChart(props: { metric: string; history: IMetric[] }): JSX.Element {
  const data = useMemo(
    () => [
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: props.metric,
        x: props.history.map(point => point.step),
        // Plotly leaves a gap for NaN / infinite values.
        y: props.history.map(point => {
          const value = metricNumber(point.value);
          return Number.isFinite(value) ? value : null;
        })
      }
    ],
    [props.history, props.metric]
  );
  const layout = useMemo(
    () => ({
      title: { text: props.metric, font: { size: 12 } },
      showlegend: false,
      xaxis: { title: { text: 'step' } }
    }),
    [props.metric]
  );
  return <PlotlyChart data={data} layout={layout} height={220} />;
}
