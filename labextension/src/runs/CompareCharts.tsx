/**
 * The compared runs' metric histories on one chart: one line per run and chosen metric
 * (a run keeps its colour, a metric its dash), or bars when each run logged its metrics once.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { IMetric, IRun, metricHistories } from './api';
import { metricNumber } from '../format';
import { plotText } from '../plotly';
import { PlotlyChart } from '../common/PlotlyChart';
import { ChartOptions, useChartOptions } from './ChartOptions';
import { axes, closeValuesRange, finite, lineTrace } from './metricSeries';

// Plotly's default colour cycle, so bars and lines of one run share a colour.
const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'
];
const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash'];

export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Labels that stay apart when two runs share a name. */
export function runLabels(runs: IRun[]): string[] {
  const counts = new Map<string, number>();
  runs.forEach(run => counts.set(run.name, (counts.get(run.name) ?? 0) + 1));
  return runs.map(run =>
    (counts.get(run.name) ?? 0) > 1 ? `${run.name} (${run.id.slice(0, 6)})` : run.name
  );
}

type Histories = Record<string, IMetric[]>[];

export function MetricHistoryChart(props: { runs: IRun[]; metrics: string[] }): JSX.Element {
  const { runs, metrics } = props;
  const [histories, setHistories] = useState<Histories | null>(null);
  const [options, setOptions] = useChartOptions();

  useEffect(() => {
    let cancelled = false;
    setHistories(null);
    Promise.all(runs.map(run => metricHistories(run.id, metrics).catch(() => ({})))).then(
      loaded => !cancelled && setHistories(loaded)
    );
    return () => {
      cancelled = true;
    };
  }, [runs, metrics.join('\n')]);

  // Metrics logged once per run read better as bars than as lone points.
  const single = (histories ?? []).every(found =>
    metrics.every(metric => (found[metric]?.length ?? 0) <= 1)
  );
  const data = useMemo(() => {
    const labels = runLabels(runs).map(label => plotText(label));
    const found = histories ?? [];
    if (single) {
      return metrics.map(metric => bars(labels, found, metric, metrics.length > 1));
    }
    return found.flatMap((byMetric, index) =>
      metrics.map((metric, order) =>
        lineTrace(
          metrics.length > 1 ? `${labels[index]} · ${plotText(metric)}` : labels[index],
          byMetric[metric] ?? [],
          options,
          { color: runColor(index), dash: DASHES[order % DASHES.length] }
        )
      )
    );
  }, [histories, runs, single, options]);
  const layout = useMemo(() => {
    const title = { text: metrics.map(metric => plotText(metric)).join(', '), font: { size: 13 } };
    if (single) {
      const range = closeValuesRange(data.flatMap(trace => trace.y as (number | null)[]));
      return {
        title,
        barmode: 'group',
        showlegend: metrics.length > 1,
        xaxis: { type: 'category' },
        yaxis: range ? { range } : {}
      };
    }
    return { title, showlegend: true, ...axes(options) };
  }, [data, single, options]);

  if (histories === null) {
    return <p className="mlops-lab-muted">Loading metric history…</p>;
  }
  return (
    <div data-testid="mlops-lab-compare-history">
      {!single && <ChartOptions options={options} onChange={setOptions} />}
      <PlotlyChart data={data} layout={layout} height={340} />
    </div>
  );
}

/** One bar per run for a metric logged once; its value written on the bar. */
function bars(
  labels: string[],
  found: Histories,
  metric: string,
  named: boolean
): Record<string, unknown> {
  const y = found.map(byMetric => {
    const history = byMetric[metric] ?? [];
    return history.length ? finite(metricNumber(history[0].value)) : null;
  });
  return {
    type: 'bar',
    name: plotText(metric),
    x: labels,
    y,
    text: y.map(value => (value === null ? '' : String(Number(value.toPrecision(4))))),
    textposition: 'outside',
    cliponaxis: false,
    marker: named ? {} : { color: labels.map((_, index) => runColor(index)) }
  };
}
