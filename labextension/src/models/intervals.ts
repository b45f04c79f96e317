/**
 * How an evaluation's numbers read: a metric value with its interval, "0.912 [0.905, 0.919]",
 * and an improvement with its sign, "+0.030".
 */
import { IInterval } from './evaluationApi';

/** Three decimals, as metrics like AUC and accuracy are compared; exponent when tiny or huge. */
export function fixed(n: number): string {
  const abs = Math.abs(n);
  if (n !== 0 && (abs < 1e-3 || abs >= 1e6)) {
    return n.toExponential(2);
  }
  return n.toFixed(3);
}

/** With its sign always shown (a minus sign, not a hyphen), for differences. */
export function signed(n: number): string {
  return n > 0 ? `+${fixed(n)}` : n < 0 ? `−${fixed(-n)}` : fixed(0);
}

export function intervalText(i: IInterval, format: (n: number) => string = fixed): string {
  return `${format(i.value)} [${format(i.low)}, ${format(i.high)}]`;
}

/** "95%" from 0.95. */
export function percent(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(4))}%`;
}
