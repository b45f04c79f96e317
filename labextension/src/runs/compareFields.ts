/**
 * What a comparison is made of: the params grouped by the model they belong to (a tracked
 * cell records a fitted model's params as `clf.C`, the cell's own as `C`), which of them differ
 * between the runs, and the params and metrics as chart axes (numbers, or categories).
 */
import { IRun } from './api';
import { metricNumber } from '../format';
import { finite } from './metricSeries';

export interface IParamGroup {
  /** The model's variable (`clf`), or '' for the params the user set. */
  model: string;
  keys: string[];
}

/** The model a param belongs to: the variable before the first dot, '' for none. */
export function paramModel(key: string): string {
  const dot = key.indexOf('.');
  return dot > 0 ? key.slice(0, dot) : '';
}

export function unionKeys(records: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  records.forEach(record => Object.keys(record).forEach(key => keys.add(key)));
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/** Whether the runs disagree on the param (a missing value counts as a value). */
export function paramDiffers(runs: IRun[], key: string): boolean {
  return new Set(runs.map(run => run.params[key] ?? '\u0000missing')).size > 1;
}

export function metricDiffers(runs: IRun[], key: string): boolean {
  return new Set(runs.map(run => String(run.metrics[key] ?? '\u0000missing'))).size > 1;
}

/** The params in groups, the user's own first, then one group per model by variable name. */
export function paramGroups(runs: IRun[], onlyDiffering: boolean): IParamGroup[] {
  const groups = new Map<string, string[]>();
  for (const key of unionKeys(runs.map(run => run.params))) {
    if (onlyDiffering && !paramDiffers(runs, key)) {
      continue;
    }
    const model = paramModel(key);
    groups.set(model, [...(groups.get(model) ?? []), key]);
  }
  return [...groups.entries()]
    .map(([model, keys]) => ({ model, keys }))
    .sort((a, b) => (a.model === '' ? -1 : b.model === '' ? 1 : a.model.localeCompare(b.model)));
}

/**
 * Params to chart first: those the user set that differ, else any that differ (a cell whose
 * only params are its model's).
 */
export function defaultParams(runs: IRun[], max = 6): string[] {
  const differing = unionKeys(runs.map(run => run.params)).filter(key => paramDiffers(runs, key));
  const own = differing.filter(key => paramModel(key) === '');
  return (own.length ? own : differing).slice(0, max);
}

/** A chart axis: a param or a metric of the runs. */
export interface IField {
  kind: 'param' | 'metric';
  key: string;
}

export function fieldId(field: IField): string {
  return `${field.kind}:${field.key}`;
}

export function parseFieldId(id: string): IField {
  const colon = id.indexOf(':');
  return { kind: id.slice(0, colon) as IField['kind'], key: id.slice(colon + 1) };
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A field's values across the runs: numbers when every one is a number, else text. */
export type FieldValues =
  | { numeric: true; values: (number | null)[] }
  | { numeric: false; values: string[] };

export function fieldValues(runs: IRun[], field: IField): FieldValues {
  if (field.kind === 'metric') {
    return { numeric: true, values: runs.map(run => finite(metricNumber(run.metrics[field.key]))) };
  }
  const raw = runs.map(run => run.params[field.key]);
  if (raw.every(value => value !== undefined && NUMBER.test(value.trim()))) {
    return { numeric: true, values: raw.map(value => Number(value)) };
  }
  return { numeric: false, values: raw.map(value => value ?? '—') };
}
