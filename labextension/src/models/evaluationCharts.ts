/**
 * The plotly charts of gates and benchmarks: a gate's improvement as an interval bar against
 * 0 and the margin (so the eye sees whether the whole interval clears the margin), and a
 * benchmark's first metric per version as dots with error bars.
 */
import { cssVar, plotText } from '../plotly';
import { IBenchmark, IGate } from './evaluationApi';
import { fixed, percent, signed } from './intervals';

type Trace = Record<string, unknown>;

export interface IChart {
  data: Trace[];
  layout: Record<string, unknown>;
}

/**
 * A vertical line across the plot at `x`, labelled above it on the `side` away from the other
 * line (a small margin puts the two lines close together).
 */
function marker(x: number, label: string, color: string, dash: string, side: 'left' | 'right') {
  return {
    shape: {
      type: 'line',
      xref: 'x',
      yref: 'paper',
      x0: x,
      x1: x,
      y0: 0,
      y1: 1,
      line: { color, width: 1.5, dash }
    },
    annotation: {
      x,
      xref: 'x',
      y: 1,
      yref: 'paper',
      yanchor: 'bottom',
      xanchor: side === 'left' ? 'right' : 'left',
      text: label,
      showarrow: false,
      font: { color, size: 10 }
    }
  };
}

export function gateChart(gate: IGate): IChart {
  const { improvement, margin } = gate;
  const clears = improvement.low > margin;
  const color = clears
    ? cssVar('--jp-success-color1', '#388e3c')
    : cssVar('--jp-error-color1', '#d32f2f');
  const span = [improvement.low, improvement.high, 0, margin];
  const low = Math.min(...span);
  const high = Math.max(...span);
  const pad = (high - low || Math.abs(high) || 1) * 0.15;
  const zero = marker(0, '0', cssVar('--jp-ui-font-color2', '#666'), 'solid', 'left');
  const lines = [zero];
  if (margin !== 0) {
    const warn = cssVar('--jp-warn-color1', '#f57c00');
    lines.push(marker(margin, `margin ${fixed(margin)}`, warn, 'dash', 'right'));
  }
  const direction = gate.higher_is_better ? 'challenger − champion' : 'champion − challenger';
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        y: ['improvement'],
        base: [improvement.low],
        x: [improvement.high - improvement.low],
        width: [0.45],
        marker: { color, opacity: 0.35, line: { color, width: 1 } },
        hovertemplate:
          `${percent(gate.confidence)} interval: ${signed(improvement.low)} to ` +
          `${signed(improvement.high)}<extra></extra>`
      },
      {
        type: 'scatter',
        mode: 'markers',
        y: ['improvement'],
        x: [improvement.value],
        marker: { color, size: 11, symbol: 'diamond' },
        hovertemplate: `improvement: ${signed(improvement.value)}<extra></extra>`
      }
    ],
    layout: {
      showlegend: false,
      margin: { l: 16, r: 16, t: 22, b: 36 },
      xaxis: {
        title: { text: `${plotText(gate.metric)} improvement (${direction})`, standoff: 4 },
        range: [low - pad, high + pad],
        zeroline: false
      },
      yaxis: { showticklabels: false, fixedrange: true },
      shapes: lines.map(line => line.shape),
      annotations: lines.map(line => line.annotation)
    }
  };
}

/** The first metric of each version on the leaderboard, in rank order, with its interval. */
export function benchmarkChart(benchmark: IBenchmark): IChart {
  const metric = benchmark.metrics[0] ?? benchmark.metric;
  const rows = benchmark.leaderboard.filter(row => row.values[metric]);
  const values = rows.map(row => row.values[metric]);
  const color = cssVar('--jp-brand-color1', '#1976d2');
  return {
    data: [
      {
        type: 'scatter',
        mode: 'markers',
        x: rows.map(row => `v${row.version}`),
        y: values.map(v => v.value),
        error_y: {
          type: 'data',
          symmetric: false,
          array: values.map(v => v.high - v.value),
          arrayminus: values.map(v => v.value - v.low),
          color,
          thickness: 1.5,
          width: 6
        },
        marker: { color, size: 9 },
        customdata: values.map(v => [fixed(v.low), fixed(v.high)]),
        hovertemplate: `%{x}: %{y:.3f} [%{customdata[0]}, %{customdata[1]}]<extra></extra>`
      }
    ],
    layout: {
      showlegend: false,
      margin: { l: 56, r: 16, t: 12, b: 36 },
      // Half a category of room each side, so two versions are not drawn on the plot's edges.
      xaxis: {
        type: 'category',
        title: { text: 'version, best first' },
        range: [-0.5, rows.length - 0.5]
      },
      yaxis: { title: { text: plotText(metric) } }
    }
  };
}
