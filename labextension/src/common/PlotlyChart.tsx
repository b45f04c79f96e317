/**
 * A plotly chart in a div; plotly itself loads on first use.
 */
import React, { useEffect, useRef, useState } from 'react';
import { loadPlotly, onThemeChange, PLOT_CONFIG, themedLayout } from '../plotly';

export interface IPlotlyChartProps {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  height?: number;
  className?: string;
}

/**
 * A number that changes when JupyterLab switches theme: charts whose colours come from the
 * theme's CSS variables are drawn again with it.
 */
export function useThemeChanges(): number {
  const [theme, setTheme] = useState(0);
  useEffect(() => onThemeChange(() => setTheme(count => count + 1)), []);
  return theme;
}

export function PlotlyChart(props: IPlotlyChartProps): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const theme = useThemeChanges();
  const height = props.height ?? 240;

  useEffect(() => {
    let cancelled = false;
    const element = root.current;
    loadPlotly()
      .then(Plotly => {
        if (!cancelled && element) {
          return Plotly.react(
            element,
            props.data,
            themedLayout({ height, ...props.layout }),
            PLOT_CONFIG
          );
        }
      })
      .catch(reason => {
        if (!cancelled) {
          setError(`The chart could not be drawn: ${reason}`);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [props.data, props.layout, height, theme]);

  useEffect(() => {
    const element = root.current;
    return () => {
      if (element) {
        loadPlotly().then(Plotly => Plotly.purge(element));
      }
    };
  }, []);

  if (error) {
    return <div className="mlops-lab-error-text">{error}</div>;
  }
  return (
    <div
      ref={root}
      className={`mlops-lab-chart ${props.className ?? ''}`}
      style={{ minHeight: height }}
      data-testid="mlops-lab-chart"
    />
  );
}
