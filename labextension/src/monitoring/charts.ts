/**
 * The plotly traces of a monitor's view, built from the REST answers: effect sizes and the
 * drift share over time, performance over time (estimates dashed), and one feature's
 * reference against current data.
 */
import { metricNumber } from '../format';
import { plotText } from '../plotly';
import { IMonitorRunSummary, IPicture } from './api';

type Trace = Record<string, unknown>;

/** Runs oldest first, as time runs along an axis. */
function chronological(runs: IMonitorRunSummary[]): IMonitorRunSummary[] {
  return [...runs].sort((a, b) => a.started_at - b.started_at);
}

function finite(value: unknown): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  const n = metricNumber(value as number | string);
  return Number.isFinite(n) ? n : null;
}

/** One line per feature (its effect size per run) and the drift share on a second axis. */
export function driftOverTime(runs: IMonitorRunSummary[]): Trace[] {
  const ordered = chronological(runs);
  const x = ordered.map(run => new Date(run.started_at));
  const features = new Set<string>();
  ordered.forEach(run => Object.keys(run.effect_sizes ?? {}).forEach(f => features.add(f)));
  const lines: Trace[] = [...features].map(feature => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: plotText(feature),
    x,
    y: ordered.map(run => finite(run.effect_sizes?.[feature])),
    hovertemplate: `${plotText(feature)}: %{y:.3f}<extra></extra>`
  }));
  lines.push({
    type: 'scatter',
    mode: 'lines+markers',
    name: 'drift share',
    x,
    y: ordered.map(run => finite(run.drift_share)),
    yaxis: 'y2',
    line: { dash: 'dot', width: 3, color: '#888' },
    hovertemplate: 'drift share: %{y:.0%}<extra></extra>'
  });
  return lines;
}

export const DRIFT_LAYOUT = {
  yaxis: { title: { text: 'effect size' }, rangemode: 'tozero' },
  yaxis2: {
    title: { text: 'drift share' },
    overlaying: 'y',
    side: 'right',
    range: [0, 1],
    tickformat: '.0%',
    showgrid: false
  },
  margin: { l: 56, r: 56, t: 16, b: 36 },
  hovermode: 'x unified'
};

/** Whether any run measured or estimated performance. */
export function hasPerformance(runs: IMonitorRunSummary[]): boolean {
  return runs.some(run => finite(run.performance?.value) !== null);
}

/**
 * Measured values as a solid line, estimated ones dashed and named "estimate", the value on
 * the training data as a horizontal line.
 */
export function performanceOverTime(runs: IMonitorRunSummary[]): Trace[] {
  const ordered = chronological(runs).filter(run => finite(run.performance?.value) !== null);
  const x = ordered.map(run => new Date(run.started_at));
  const metric = ordered.length ? ordered[ordered.length - 1].performance!.metric : '';
  const valueWhere = (estimated: boolean) =>
    ordered.map(run =>
      Boolean(run.performance!.estimated) === estimated ? finite(run.performance!.value) : null
    );
  const traces: Trace[] = [
    {
      type: 'scatter',
      mode: 'lines+markers',
      name: plotText(metric),
      x,
      y: valueWhere(false),
      connectgaps: true,
      hovertemplate: `${plotText(metric)}: %{y:.4f}<extra></extra>`
    },
    {
      type: 'scatter',
      mode: 'lines+markers',
      name: `${plotText(metric)} (estimate)`,
      x,
      y: valueWhere(true),
      connectgaps: true,
      line: { dash: 'dash' },
      marker: { symbol: 'circle-open' },
      hovertemplate: `${plotText(metric)} estimate: %{y:.4f}<extra></extra>`
    }
  ];
  const training = [...ordered].reverse().map(run => finite(run.performance!.training))
    .find(value => value !== null);
  if (training !== undefined && training !== null && x.length) {
    traces.push({
      type: 'scatter',
      mode: 'lines',
      name: `training (${Number(training.toPrecision(4))})`,
      x: [x[0], x[x.length - 1]],
      y: [training, training],
      line: { dash: 'dot', color: '#888' },
      hoverinfo: 'skip'
    });
  }
  return traces.filter(trace => (trace.y as (number | null)[]).some(v => v !== null));
}

/** Reference against current: shares per bin of a number, or per category. */
export function pictureTraces(picture: IPicture): { data: Trace[]; layout: Trace } {
  const colours = { reference: '#7f8c9a', current: '#e67e22' };
  if ('edges' in picture) {
    const edges = picture.edges;
    const centres = picture.reference.map((_, i) => (edges[i] + edges[i + 1]) / 2);
    const widths = picture.reference.map((_, i) => edges[i + 1] - edges[i]);
    const bars = (which: 'reference' | 'current'): Trace => ({
      type: 'bar',
      name: which,
      x: centres,
      y: picture[which],
      width: widths,
      opacity: 0.6,
      marker: { color: colours[which] },
      hovertemplate: `${which} %{x:.4g}: %{y:.1%}<extra></extra>`
    });
    return {
      data: [bars('reference'), bars('current')],
      layout: { barmode: 'overlay', bargap: 0, yaxis: { tickformat: '.0%', title: { text: 'share' } } }
    };
  }
  const labels = picture.categories.map(category => plotText(String(category), 24));
  const bars = (which: 'reference' | 'current'): Trace => ({
    type: 'bar',
    name: which,
    x: labels,
    y: picture[which],
    marker: { color: colours[which] },
    hovertemplate: `${which} %{x}: %{y:.1%}<extra></extra>`
  });
  return {
    data: [bars('reference'), bars('current')],
    layout: { barmode: 'group', yaxis: { tickformat: '.0%', title: { text: 'share' } } }
  };
}
