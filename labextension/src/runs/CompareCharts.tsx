/**
 * Charts of the compared runs: the chosen metric's history (one line per run) and
 * parallel coordinates from params to that metric.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { IMetric, IRun, metricHistory } from './api';
import { metricNumber } from '../format';
import { plotText } from '../plotly';
import { PlotlyChart } from '../common/PlotlyChart';

// Plotly's default colour cycle, so bars and lines of one run share a colour.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Labels that stay apart when two runs share a name. */
function runLabels(runs: IRun[]): string[] {
  const counts = new Map<string, number>();
  runs.forEach(run => counts.set(run.name, (counts.get(run.name) ?? 0) + 1));
  return runs.map(run =>
    (counts.get(run.name) ?? 0) > 1 ? `${run.name} (${run.id.slice(0, 6)})` : run.name
  );
}

export function MetricHistoryChart(props: { runs: IRun[]; metric: string }): JSX.Element {
  const { runs, metric } = props;
  const [histories, setHistories] = useState<IMetric[][] | null>(null);

  useEffect(() => {
    let cancelled = false;
    setHistories(null);
    Promise.all(runs.map(run => metricHistory(run.id, metric).catch(() => [] as IMetric[]))).then(
      loaded => !cancelled && setHistories(loaded)
    );
    return () => {
      cancelled = true;
    };
  }, [runs, metric]);

  // Metrics logged once per run read better as bars than as lone points.
  const single = (histories ?? []).every(history => history.length <= 1);
  const data = useMemo(() => {
    const labels = runLabels(runs).map(label => plotText(label));
    if (single) {
      return [
        {
          type: 'bar',
          x: labels,
          y: (histories ?? []).map(history =>
            history.length ? finite(metricNumber(history[0].value)) : null
          ),
          marker: { color: labels.map((_, index) => PALETTE[index % PALETTE.length]) }
        }
      ];
    }
    return (histories ?? []).map((history, index) => ({
      type: 'scatter',
      mode: history.length > 1 ? 'lines+markers' : 'markers',
      name: labels[index],
      x: history.map(point => point.step),
      y: history.map(point => finite(metricNumber(point.value))),
      line: { color: PALETTE[index % PALETTE.length] }
    }));
  }, [histories, runs, single]);
  const layout = useMemo(
    () => ({
      title: { text: plotText(metric), font: { size: 13 } },
      xaxis: single ? { type: 'category' } : { title: { text: 'step' } },
      showlegend: !single
    }),
    [metric, single]
  );

  if (histories === null) {
    return <p className="mlops-lab-muted">Loading metric history…</p>;
  }
  return <PlotlyChart data={data} layout={layout} height={320} />;
}

/** One parcoords dimension per param (numbers as numbers, other values as categories). */
function paramDimension(runs: IRun[], key: string): Record<string, unknown> {
  const raw = runs.map(run => run.params[key]);
  const label = plotText(key, 24);
  if (raw.every(value => value !== undefined && NUMBER.test(value.trim()))) {
    return { label, values: raw.map(value => Number(value)) };
  }
  const categories = [...new Set(raw.map(value => value ?? '—'))].sort();
  return {
    label,
    values: raw.map(value => categories.indexOf(value ?? '—')),
    tickvals: categories.map((_, index) => index),
    ticktext: categories.map(value => plotText(value, 16))
  };
}

export function ParallelCoordinates(props: { runs: IRun[]; metric: string }): JSX.Element {
  const { runs, metric } = props;
  const data = useMemo(() => {
    const keys = [...new Set(runs.flatMap(run => Object.keys(run.params)))].sort();
    const metricValues = runs.map(run => finite(metricNumber(run.metrics[metric])));
    return [
      {
        type: 'parcoords',
        line: {
          color: metricValues.map(value => value ?? 0),
          // Ends bright enough to read on light and dark backgrounds alike.
          colorscale: [
            [0, '#3b82f6'],
            [0.5, '#a855f7'],
            [1, '#f97316']
          ],
          showscale: true,
          colorbar: { title: { text: plotText(metric, 16) }, thickness: 12 }
        },
        dimensions: [
          ...keys.map(key => paramDimension(runs, key)),
          { label: plotText(metric, 24), values: metricValues.map(value => value ?? NaN) }
        ]
      }
    ];
  }, [runs, metric]);
  const layout = useMemo(() => ({ margin: { l: 60, r: 60, t: 48, b: 24 } }), []);
  return <PlotlyChart data={data} layout={layout} height={340} />;
}
