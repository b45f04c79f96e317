/**
 * How a metric history becomes a line: what the x-axis counts (step, wall time, time since the
 * run's first value), smoothing, and the axis settings those choices need.
 */
import { IMetric } from './api';
import { metricNumber } from '../format';

export type XAxis = 'step' | 'wall' | 'relative';

export interface IChartOptions {
  xAxis: XAxis;
  /** Exponential moving average weight, 0 (raw values) to 0.95. */
  smoothing: number;
  logScale: boolean;
}

export const DEFAULT_OPTIONS: IChartOptions = { xAxis: 'step', smoothing: 0, logScale: false };

export const X_AXIS_LABELS: Record<XAxis, string> = {
  step: 'step',
  wall: 'wall time',
  relative: 'relative time (s)'
};

/** A finite number, or null where plotly should leave a gap (NaN, ±Infinity). */
export function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The x of each point: its step, its time (as a date), or seconds since the first point. */
export function xValues(history: IMetric[], axis: XAxis): (number | Date)[] {
  if (axis === 'step') {
    return history.map(point => point.step);
  }
  if (axis === 'wall') {
    return history.map(point => new Date(point.timestamp));
  }
  const first = Math.min(...history.map(point => point.timestamp));
  return history.map(point => (point.timestamp - first) / 1000);
}

/**
 * Exponential moving average, debiased at the start (as TensorBoard smooths), so the first
 * points are not pulled towards zero; gaps stay gaps and do not reset the average.
 */
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) {
    return values;
  }
  let last = 0;
  let count = 0;
  return values.map(value => {
    if (value === null) {
      return null;
    }
    last = last * weight + (1 - weight) * value;
    count += 1;
    return last / (1 - Math.pow(weight, count));
  });
}

/** The y of each point, smoothed as asked. */
export function yValues(history: IMetric[], smoothing: number): (number | null)[] {
  return smooth(
    history.map(point => finite(metricNumber(point.value))),
    smoothing
  );
}

/** Plotly axis settings for the chosen x-axis and y scale. */
export function axes(options: IChartOptions): Record<string, unknown> {
  return {
    xaxis: {
      title: { text: X_AXIS_LABELS[options.xAxis] },
      type: options.xAxis === 'wall' ? 'date' : 'linear'
    },
    // A log axis over a decade labels its minor ticks with a bare digit ("2" for 0.2).
    yaxis: options.logScale ? { type: 'log', tickformat: '.2~g' } : { type: 'linear' },
    // Below the axis title whatever the tick labels' height (a date axis has two lines).
    legend: { orientation: 'h', yref: 'container', yanchor: 'bottom', y: 0.01 }
  };
}

/**
 * A y range for bars of close values: plotly starts bars at zero, which flattens 0.91 against
 * 0.93 into equal bars. When the spread is small next to the values, the axis spans the values
 * with some room instead; `null` keeps plotly's own range.
 */
export function closeValuesRange(values: (number | null)[]): [number, number] | null {
  const present = values.filter((value): value is number => value !== null);
  if (present.length < 2) {
    return null;
  }
  const low = Math.min(...present);
  const high = Math.max(...present);
  const spread = high - low;
  const size = Math.max(Math.abs(low), Math.abs(high));
  const sameSign = low >= 0 || high <= 0;
  if (!sameSign || spread === 0 || spread > size * 0.5) {
    return null;
  }
  return [low - spread * 0.6, high + spread * 0.3];
}

/** One line of a chart: a metric's history drawn with the chosen options. */
export function lineTrace(
  name: string,
  history: IMetric[],
  options: IChartOptions,
  style: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    type: 'scatter',
    mode: history.length > 1 ? 'lines+markers' : 'markers',
    name,
    x: xValues(history, options.xAxis),
    y: yValues(history, options.smoothing),
    marker: { size: 4 },
    line: style
  };
}
