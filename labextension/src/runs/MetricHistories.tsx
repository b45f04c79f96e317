/**
 * Line charts of each metric that was logged more than once, small ones side by side or all
 * on one chart, with the x-axis, smoothing and scale the user chose.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { IMetric, metricHistories } from './api';
import { PlotlyChart } from '../common/PlotlyChart';
import { plotText } from '../plotly';
import { ChartOptions, useChartOptions } from './ChartOptions';
import { axes, IChartOptions, lineTrace } from './metricSeries';
import { Toggle } from '../common/Toggle';

// Charts beyond this many metrics would make the page slow to open.
const MAX_CHARTS = 24;

export function MetricHistories(props: {
  runId: string;
  keys: string[];
  /** The run's latest metric values: when they change (a run going on), load again. */
  latest?: string;
}): JSX.Element | null {
  const [histories, setHistories] = useState<Record<string, IMetric[]>>({});
  const [options, setOptions] = useChartOptions();
  const [together, setTogether] = useState(false);
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
    <div data-testid="mlops-lab-metric-charts">
      <div className="mlops-lab-chart-options-row">
        <ChartOptions options={options} onChange={setOptions} />
        {charted.length > 1 && (
          <Toggle
            label="all metrics on one chart"
            checked={together}
            onChange={setTogether}
            testId="mlops-lab-chart-together"
          />
        )}
      </div>
      {together ? (
        <MetricChart metrics={charted} histories={histories} options={options} height={360} />
      ) : (
        <div className="mlops-lab-chart-grid">
          {charted.map(key => (
            <MetricChart
              key={key}
              metrics={[key]}
              histories={histories}
              options={options}
              height={220}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function MetricChart(props: {
  metrics: string[];
  histories: Record<string, IMetric[]>;
  options: IChartOptions;
  height: number;
}): JSX.Element {
  const { metrics, histories, options } = props;
  const data = useMemo(
    () => metrics.map(key => lineTrace(plotText(key), histories[key], options)),
    [metrics.join('\n'), histories, options]
  );
  const layout = useMemo(
    () => ({
      title: metrics.length === 1 ? { text: plotText(metrics[0]), font: { size: 12 } } : undefined,
      showlegend: metrics.length > 1,
      ...axes(options)
    }),
    [metrics.join('\n'), options]
  );
  return <PlotlyChart data={data} layout={layout} height={props.height} />;
}
