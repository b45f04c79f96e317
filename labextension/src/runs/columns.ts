/**
 * Which columns the runs table shows: the run's own (status, start, duration), then its
 * metrics, params and tags. By default the user's own params and metrics show; the params
 * recorded from a fitted model (`clf.n_estimators`: dotted under the model's variable) and
 * the tags are hidden, grouped under their model in the column chooser. What the user
 * chooses is remembered per experiment in the browser.
 */
import { IRun, IRunFields } from './api';
import { FieldKind } from './fields';

export interface IColumn {
  kind: FieldKind;
  key: string;
}

/** Columns of one kind, or one model's params (`clf.*`), as the chooser lists them. */
export interface IColumnGroup {
  label: string;
  columns: IColumn[];
}

/** A column's id, as a filter names its field: `metrics.acc`, `attributes.status`. */
export function columnId(column: IColumn): string {
  return `${column.kind}.${column.key}`;
}

export const ATTRIBUTE_COLUMNS: IColumn[] = ['status', 'start_time', 'duration'].map(key => ({
  kind: 'attributes',
  key
}));

/** A param recorded from a model: `clf.n_estimators` is `clf`'s. */
function modelOf(param: string): string | null {
  const dot = param.indexOf('.');
  return dot > 0 ? param.slice(0, dot) : null;
}

/** Shown unless chosen otherwise: the run's own columns, metrics, the user's own params. */
export function shownByDefault(column: IColumn): boolean {
  return (
    column.kind === 'attributes' ||
    column.kind === 'metrics' ||
    (column.kind === 'params' && modelOf(column.key) === null)
  );
}

/** The keys the server knows for the experiment and those of the loaded runs, sorted. */
export function allKeys(fields: IRunFields | null, runs: IRun[]): IRunFields {
  const keys = (kind: keyof IRunFields) => {
    const found = new Set(fields?.[kind] ?? []);
    runs.forEach(run => Object.keys(run[kind] ?? {}).forEach(key => found.add(key)));
    return [...found].sort();
  };
  return { metrics: keys('metrics'), params: keys('params'), tags: keys('tags') };
}

/** The chooser's groups: run, metrics, the user's params, each model's params, tags. */
export function columnGroups(keys: IRunFields): IColumnGroup[] {
  const own = keys.params.filter(key => modelOf(key) === null);
  const models = new Map<string, string[]>();
  keys.params
    .filter(key => modelOf(key) !== null)
    .forEach(key => models.set(modelOf(key)!, [...(models.get(modelOf(key)!) ?? []), key]));
  const of = (kind: FieldKind, list: string[]) => list.map(key => ({ kind, key }));
  return [
    { label: 'Run', columns: ATTRIBUTE_COLUMNS },
    { label: 'Metrics', columns: of('metrics', keys.metrics) },
    { label: 'Params', columns: of('params', own) },
    ...[...models].map(([model, params]) => ({
      label: `${model} (model params)`,
      columns: of('params', params)
    })),
    { label: 'Tags', columns: of('tags', keys.tags) }
  ].filter(group => group.columns.length > 0);
}

/** Column id -> shown, for the columns the user chose; the others follow the default. */
export type ColumnChoices = Record<string, boolean>;

export function isShown(column: IColumn, choices: ColumnChoices): boolean {
  return choices[columnId(column)] ?? shownByDefault(column);
}

const STORAGE_PREFIX = 'mlops-lab:runs-columns:';

/** The choices remembered for an experiment ('' is all experiments). */
export function loadChoices(experiment: string): ColumnChoices {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_PREFIX + experiment) ?? '{}');
    return saved && typeof saved === 'object' && !Array.isArray(saved) ? saved : {};
  } catch {
    return {}; // storage unavailable or not ours: the defaults
  }
}

export function saveChoices(experiment: string, choices: ColumnChoices): void {
  try {
    localStorage.setItem(STORAGE_PREFIX + experiment, JSON.stringify(choices));
  } catch {
    // Storage full or disabled: the choice holds until the panel is reloaded.
  }
}
