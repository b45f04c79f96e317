/**
 * One small chart per column of a snapshot's profile: a histogram for numbers, the most
 * frequent values for everything else.
 */
import React, { useMemo } from 'react';
import { PlotlyChart } from '../common/PlotlyChart';
import { IColumnProfile } from './api';

const MAX_CHARTS = 24;
const LABEL_MAX = 24;

/** A value as a plotly axis label: plotly reads a few HTML-like tags (<b>, <a href>) in text,
 * so markup characters become entities it shows literally; long values are shortened. */
function plotlyText(value: string): string {
  const short = value.length > LABEL_MAX ? value.slice(0, LABEL_MAX - 1) + '…' : value;
  return short.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function chartOf(name: string, column: IColumnProfile): Record<string, unknown>[] | null {
  if (column.histogram && column.histogram.counts.length) {
    const edges = column.histogram.edges.map(Number);
    const centres = column.histogram.counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
    const widths = column.histogram.counts.map((_, i) => edges[i + 1] - edges[i]);
    return [
      {
        type: 'bar',
        x: centres,
        y: column.histogram.counts,
        width: widths.map(w => (w > 0 ? w : undefined)),
        name,
        hovertemplate: '%{x}: %{y}<extra></extra>'
      }
    ];
  }
  if (column.top && column.top.length) {
    const top = [...column.top].reverse();
    return [
      {
        type: 'bar',
        orientation: 'h',
        x: top.map(t => t.count),
        // Values are data: shown as text, never as markup (see plotlyText).
        y: top.map(t => plotlyText(t.value)),
        customdata: top.map(t => plotlyText(t.value.slice(0, 200))),
        name,
        hovertemplate: '%{customdata}: %{x}<extra></extra>'
      }
    ];
  }
  return null;
}

export function ProfileCharts(props: {
  columns: Record<string, IColumnProfile>;
  order: string[];
}): JSX.Element {
  const charts = useMemo(
    () =>
      props.order
        .slice(0, MAX_CHARTS)
        .map(name => ({ name, data: props.columns[name] ? chartOf(name, props.columns[name]) : null }))
        .filter(chart => chart.data !== null),
    [props.columns, props.order]
  );
  const layout = useMemo(
    () => ({ margin: { l: 40, r: 8, t: 8, b: 28 }, showlegend: false, bargap: 0.05 }),
    []
  );
  if (!charts.length) {
    return <p className="mlops-lab-muted">No column to chart.</p>;
  }
  return (
    <div className="mlops-lab-profile-charts" data-testid="mlops-lab-profile-charts">
      {charts.map(chart => (
        <figure className="mlops-lab-profile-chart" key={chart.name}>
          <figcaption title={chart.name}>{chart.name}</figcaption>
          <PlotlyChart data={chart.data!} layout={layout} height={160} />
        </figure>
      ))}
      {props.order.length > MAX_CHARTS && (
        <p className="mlops-lab-muted">
          Charts of the first {MAX_CHARTS} of {props.order.length} columns.
        </p>
      )}
    </div>
  );
}
