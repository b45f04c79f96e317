/**
 * Plotly, loaded on first use in its own chunk, with a layout that follows the
 * JupyterLab theme through its CSS variables.
 */

// Minimal typing of the plotly.js calls used here.
export interface IPlotly {
  react(
    root: HTMLElement,
    data: Record<string, unknown>[],
    layout?: Record<string, unknown>,
    config?: Record<string, unknown>
  ): Promise<unknown>;
  purge(root: HTMLElement): void;
  Plots: { resize(root: HTMLElement): void };
}

let loading: Promise<IPlotly> | null = null;

/** The plotly module; the import() keeps it out of the panel's first chunk. */
export function loadPlotly(): Promise<IPlotly> {
  if (!loading) {
    loading = import(/* webpackChunkName: "plotly" */ 'plotly.js-dist-min').then(
      module => ((module as any).default ?? module) as IPlotly
    );
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** A JupyterLab CSS variable's value now (a theme colour for a trace), or `fallback`. */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Base layout with the theme's font, colours and grid lines; axis settings in `extra` are merged. */
export function themedLayout(extra: Record<string, any> = {}): Record<string, unknown> {
  const font = cssVar('--jp-ui-font-color1', '#333');
  const grid = cssVar('--jp-border-color2', '#ddd');
  const axis = (own: Record<string, unknown> = {}) => ({
    gridcolor: grid,
    zerolinecolor: grid,
    linecolor: grid,
    automargin: true,
    ...own
  });
  return {
    paper_bgcolor: cssVar('--jp-layout-color1', '#fff'),
    plot_bgcolor: cssVar('--jp-layout-color1', '#fff'),
    font: {
      family: cssVar('--jp-ui-font-family', 'sans-serif'),
      size: 11,
      color: font
    },
    margin: { l: 48, r: 16, t: 28, b: 36 },
    legend: { orientation: 'h', y: -0.2 },
    ...extra,
    ...clearOfToolbar(extra),
    xaxis: axis(extra.xaxis),
    yaxis: axis(extra.yaxis)
  };
}

/**
 * Plotly's toolbar shows over the chart's top right corner on hover; a centred title sat under
 * it. A title goes to the top left, with room above the plot, so the toolbar never covers it.
 */
function clearOfToolbar(extra: Record<string, any>): Record<string, unknown> {
  if (!extra.title) {
    return {};
  }
  const margin = { l: 48, r: 16, t: 28, b: 36, ...extra.margin };
  return {
    title: { x: 0.01, xanchor: 'left', y: 0.985, yanchor: 'top', ...extra.title },
    margin: { ...margin, t: Math.max(margin.t, 44) }
  };
}

export const PLOT_CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['lasso2d', 'select2d']
};

/**
 * Text from the store, made safe for plotly, which reads a few HTML-like tags
 * (<b>, <a href>, <br>) in labels: tags become literal text.
 */
export function plotText(text: string, max = 40): string {
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return short.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Calls `callback` after JupyterLab switches theme (it marks the body); returns a stop function. */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return () => observer.disconnect();
}
