/**
 * What the filter box offers as the user types: field names where a field goes
 * (`acc` → `metrics.acc`), values where a value goes (`params.model = ` → `'rf'`).
 */
import { IRun, IRunFields } from './api';
import { fieldRef } from './fields';

/** A completion: replace text[from, to) with `text`. */
export interface ICompletion {
  text: string;
  from: number;
  to: number;
}

export const ATTRIBUTES = ['status', 'name', 'start_time', 'end_time', 'run_id', 'parent_run_id'];
const STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'];
const MAX_SHOWN = 8;

/** Every field a filter can name, metrics first. */
export function allFields(fields: IRunFields | null): string[] {
  return [
    ...(fields?.metrics ?? []).map(key => fieldRef('metrics', key)),
    ...(fields?.params ?? []).map(key => fieldRef('params', key)),
    ...(fields?.tags ?? []).map(key => fieldRef('tags', key)),
    ...ATTRIBUTES.map(name => `attributes.${name}`)
  ];
}

// A field being typed, at the end of the text before the caret.
const FIELD_AT_END = /(^|[\s(])([A-Za-z_][\w.\-`]*)$/;
// A comparison whose value is being typed: field, operator, an opening quote maybe.
const VALUE_AT_END = /([A-Za-z_][\w.\-`]*)\s*(=|!=|like|ilike)\s*(['"]?)([^'"]*)$/i;

/** The completions for the caret at `caret` in `text`, best first. */
export function completions(
  text: string,
  caret: number,
  fields: IRunFields | null,
  runs: IRun[],
  known: Readonly<Record<string, string[]>> = {}
): ICompletion[] {
  const before = text.slice(0, caret);
  const value = VALUE_AT_END.exec(before);
  if (value) {
    const [, field, , quote, typed] = value;
    const from = caret - typed.length - quote.length;
    const all = new Set([...valuesOf(field, runs), ...(known[field] ?? [])]);
    return [...all]
      .sort()
      .filter(v => v.toLowerCase().startsWith(typed.toLowerCase()) && v !== typed)
      .slice(0, MAX_SHOWN)
      .map(v => ({ text: `'${v.replace(/'/g, "\\'")}'`, from, to: caret }));
  }
  const field = FIELD_AT_END.exec(before);
  if (!field) {
    return [];
  }
  const typed = field[2].toLowerCase();
  // After a value comes `and`/`or`, not a field: a word there completes nothing.
  if (/(=|<|>|like|ilike)\s*\S+\s+\S*$/i.test(before) && !/\b(and|or)\s+\S*$/i.test(before)) {
    return [];
  }
  const matches = (name: string) => {
    const lower = name.toLowerCase();
    return lower.startsWith(typed) || lower.slice(lower.indexOf('.') + 1).startsWith(typed);
  };
  return allFields(fields)
    .filter(name => matches(name) && name.toLowerCase() !== typed)
    .slice(0, MAX_SHOWN)
    .map(name => ({ text: `${name} `, from: caret - field[2].length, to: caret }));
}

/** The param or tag (`params.model`) whose value is being typed at the caret, else null: the
 * server is asked for its values, beyond those of the loaded runs. */
export function valuedField(text: string, caret: number): string | null {
  const value = VALUE_AT_END.exec(text.slice(0, caret));
  return value && /^(params|tags)\.\S/.test(value[1]) ? value[1] : null;
}

/** The values a field has on the loaded runs (param and tag values, run statuses). */
function valuesOf(field: string, runs: IRun[]): string[] {
  const [kind, ...rest] = field.split('.');
  const key = rest.join('.').replace(/`/g, '');
  if (/^(attributes\.)?status$/i.test(field)) {
    return STATUSES;
  }
  const from = kind === 'params' ? 'params' : kind === 'tags' ? 'tags' : null;
  if (!from) {
    return [];
  }
  const seen = new Set<string>();
  for (const run of runs) {
    const found = run[from][key];
    if (found !== undefined) {
      seen.add(found);
    }
  }
  return [...seen].sort();
}
