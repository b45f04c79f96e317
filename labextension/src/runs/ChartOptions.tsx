/**
 * The controls above metric history charts: x-axis (step, wall time, relative time),
 * smoothing and log scale. The last choice is remembered for the next chart opened, also
 * after the page is reloaded (in the browser's storage).
 */
import React, { useState } from 'react';
import { DEFAULT_OPTIONS, IChartOptions, X_AXIS_LABELS, XAxis } from './metricSeries';
import { Toggle } from '../common/Toggle';

const STORAGE_KEY = 'mlops-lab:chart-options';

/** The options saved last, each one checked (storage is shared with other code and versions). */
function loadOptions(): IChartOptions {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') ?? {};
    const smoothing = Number(saved.smoothing);
    return {
      xAxis: Object.keys(X_AXIS_LABELS).includes(saved.xAxis) ? saved.xAxis : DEFAULT_OPTIONS.xAxis,
      smoothing:
        Number.isFinite(smoothing) && smoothing >= 0 && smoothing <= 0.95
          ? smoothing
          : DEFAULT_OPTIONS.smoothing,
      logScale: typeof saved.logScale === 'boolean' ? saved.logScale : DEFAULT_OPTIONS.logScale
    };
  } catch {
    return DEFAULT_OPTIONS; // storage unavailable or not ours: the defaults
  }
}

function saveOptions(options: IChartOptions): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(options));
  } catch {
    // Storage full or disabled: the choice holds until the page is reloaded.
  }
}

let remembered: IChartOptions | null = null;

/** Chart options starting from the last ones chosen in any view. */
export function useChartOptions(): [IChartOptions, (options: IChartOptions) => void] {
  const [options, setOptions] = useState(() => (remembered ??= loadOptions()));
  return [
    options,
    (chosen: IChartOptions) => {
      remembered = chosen;
      saveOptions(chosen);
      setOptions(chosen);
    }
  ];
}

export function ChartOptions(props: {
  options: IChartOptions;
  onChange: (options: IChartOptions) => void;
}): JSX.Element {
  const { options, onChange } = props;
  return (
    <div className="mlops-lab-chart-options" data-testid="mlops-lab-chart-options">
      <label className="mlops-lab-inline-label">
        x-axis
        <select
          className="jp-mod-styled"
          data-testid="mlops-lab-chart-x-axis"
          value={options.xAxis}
          onChange={event => onChange({ ...options, xAxis: event.target.value as XAxis })}
        >
          {(Object.keys(X_AXIS_LABELS) as XAxis[]).map(axis => (
            <option key={axis} value={axis}>
              {X_AXIS_LABELS[axis]}
            </option>
          ))}
        </select>
      </label>
      <label className="mlops-lab-inline-label" title="Exponential moving average of the values">
        smoothing
        <input
          type="range"
          min={0}
          max={0.95}
          step={0.05}
          data-testid="mlops-lab-chart-smoothing"
          value={options.smoothing}
          onChange={event => onChange({ ...options, smoothing: Number(event.target.value) })}
        />
        <span className="mlops-lab-num">{options.smoothing.toFixed(2)}</span>
      </label>
      <Toggle
        label="log scale"
        checked={options.logScale}
        onChange={logScale => onChange({ ...options, logScale })}
        testId="mlops-lab-chart-log"
      />
    </div>
  );
}
