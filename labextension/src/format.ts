/**
 * How values are shown: metric numbers, times, durations, shortened locations.
 */
import { MetricValue } from './request';

/** A metric value as a number (NaN / ±Infinity for the strings the server uses). */
export function metricNumber(value: MetricValue | undefined): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return NaN;
}

/**
 * A number for display (a metric, a profile statistic): NaN, ∞, −∞, or a compact number
 * (integers whole, others with 5 significant digits, very large or small ones as 1.234e+7).
 */
export function formatNumber(value: MetricValue | null | undefined): string {
  if (value === undefined || value === null) {
    return '';
  }
  const n = metricNumber(value);
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? '∞' : '−∞';
  }
  if (Number.isInteger(n) && Math.abs(n) < 1e15) {
    return String(n);
  }
  const abs = Math.abs(n);
  if (abs >= 1e6 || abs < 1e-4) {
    return n.toExponential(3);
  }
  return String(Number(n.toPrecision(5)));
}

/** "just now", "3 min ago", "2 h ago", "5 d ago", or the date when older. */
export function relativeTime(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) {
    return '';
  }
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 10) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.floor(hours / 24);
  if (days < 30) {
    return `${days} d ago`;
  }
  return new Date(ms).toLocaleDateString();
}

/** A full local date and time, for tooltips and the run view. */
export function absoluteTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '';
}

/** "850 ms", "12.3 s", "4m 05s", "2h 03m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) {
    return `${h}h ${String(m).padStart(2, '0')}m`;
  }
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

/** Duration of a run: its recorded one, or the time so far while it runs. */
export function runDuration(run: {
  duration_ms: number | null;
  start_time: number;
  status: string;
}): number | null {
  if (run.duration_ms !== null && run.duration_ms !== undefined) {
    return run.duration_ms;
  }
  return run.status === 'RUNNING' ? Date.now() - run.start_time : null;
}

/** Keeps the scheme and the end of a long location ("sqlite:///…/.mlops-lab/mlops.db"). */
export function shortenLocation(location: string, max = 34): string {
  if (location.length <= max) {
    return location;
  }
  const scheme = location.match(/^[a-z0-9+]+:\/\/\/?/i)?.[0] ?? '';
  const parts = location.slice(scheme.length).split('/');
  const budget = max - scheme.length - 2;
  let tail = parts.pop() ?? '';
  while (parts.length && tail.length + parts[parts.length - 1].length + 1 <= budget) {
    tail = `${parts.pop()}/${tail}`;
  }
  return `${scheme}…/${tail}`;
}

/** Human size: 512 B, 1.2 kB, 3.4 MB. */
export function formatBytes(size: number): string {
  if (size < 1000) {
    return `${size} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) {
      break;
    }
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** An age in words, to its largest unit: "40 seconds", "5 hours", "3 days", "2 years". */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  const units: [string, number][] = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['week', 7 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60]
  ];
  for (const [unit, size] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  const whole = Math.floor(seconds);
  return `${whole} second${whole === 1 ? '' : 's'}`;
}

/** A share (0.25) as a percentage ("25%"). */
export function formatShare(value: MetricValue | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  const n = metricNumber(value);
  return Number.isFinite(n) ? `${Number((n * 100).toPrecision(3))}%` : formatNumber(value);
}

/** A duration in the largest unit that writes it exactly, as it is usually written: 90 days
 * is "90D" (not "2160h 00m"), 36 hours "36h", 90 minutes "90min". */
export function formatExactDuration(ms: number): string {
  const units: [string, number][] = [
    ['D', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000]
  ];
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) {
      return `${ms / size}${unit}`;
    }
  }
  return `${ms}ms`;
}
