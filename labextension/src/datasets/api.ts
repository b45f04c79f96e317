/**
 * Requests to the datasets REST routes and the JSON shapes they return.
 */
import { firstPage, IListPage, requestJson } from '../request';

export interface IDataset {
  id: number;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
  version_count: number;
  latest_version: number | null;
  latest_row_count: number | null;
  /** Whether the newest snapshot passed the rules (null: no rules, or not known). */
  latest_valid?: boolean | null;
  has_rules: boolean;
}

export interface ISnapshotSummary {
  id: string;
  dataset_id: number;
  name: string;
  version: number;
  ref: string;
  content_hash: string;
  size: number;
  row_count: number;
  column_count: number;
  created_at: number;
  valid: boolean | null;
  run_id: string | null;
}

/** A number, or "NaN" / "Infinity" / "-Infinity" as the server spells non-finite values. */
export type Num = number | string;

export interface IColumnProfile {
  dtype: string;
  kind: 'numeric' | 'boolean' | 'datetime' | 'categorical' | 'text';
  count: number;
  nulls: number;
  null_share: Num;
  distinct?: number;
  sampled?: boolean;
  min?: Num;
  max?: Num;
  mean?: Num;
  std?: Num;
  histogram?: { edges: Num[]; counts: number[] };
  top?: { value: string; count: number }[];
}

export interface IValidationFailure {
  column: string | null;
  rule: string;
  message: string;
  count?: number;
  examples?: unknown[];
}

export interface IValidationReport {
  passed: boolean;
  on_fail: string;
  checked: number;
  failed: number;
  failures: IValidationFailure[];
}

export interface ISnapshot extends ISnapshotSummary {
  schema: { name: string; dtype: string; hash: string }[];
  profile: {
    rows: number;
    sample_rows?: number;
    seconds?: number;
    columns: Record<string, IColumnProfile>;
  };
  validation: IValidationReport | null;
  source: Record<string, unknown> | null;
}

export interface IDatasetDetail extends IDataset {
  rules: Record<string, unknown> | null;
  snapshots: ISnapshotSummary[];
}

export interface ILineageRun {
  run_id: string;
  name: string;
  status: string;
  direction: 'input' | 'output';
  start_time: number;
  experiment_id: number;
}

export interface IStatShift {
  column: string;
  stat: string;
  a: Num;
  b: Num;
  change: Num;
  relative: Num | null;
}

export interface ISnapshotDiff {
  a: { id: string; ref: string; row_count: number };
  b: { id: string; ref: string; row_count: number };
  same_content: boolean;
  columns_added: { name: string; dtype: string }[];
  columns_removed: { name: string; dtype: string }[];
  dtype_changes: { name: string; a: string; b: string }[];
  columns_changed: string[];
  rows: {
    a: number;
    b: number;
    added: number;
    removed: number;
    changed: number | null;
    key: string[] | null;
  };
  examples: {
    added: Record<string, unknown>[];
    removed: Record<string, unknown>[];
    changed: { key: Record<string, unknown>; columns: Record<string, { a: unknown; b: unknown }> }[];
  };
  stats: IStatShift[];
}

export async function listDatasets(q: string): Promise<IListPage<IDataset>> {
  const query = new URLSearchParams();
  if (q.trim()) {
    query.set('q', q.trim());
  }
  return firstPage<IDataset>(['datasets'], 'datasets', query);
}

export function getDataset(id: number): Promise<IDatasetDetail> {
  return requestJson<IDatasetDetail>(['datasets', String(id)]);
}

export function getSnapshot(id: string): Promise<ISnapshot> {
  return requestJson<ISnapshot>(['snapshots', id]);
}

export async function getLineage(id: string): Promise<ILineageRun[]> {
  const body = await requestJson<{ runs: ILineageRun[] }>(['snapshots', id, 'lineage']);
  return body.runs;
}

export function diffSnapshots(a: string, b: string, keys: string[]): Promise<ISnapshotDiff> {
  const query = new URLSearchParams({ a, b });
  keys.filter(k => k.trim()).forEach(k => query.append('key', k.trim()));
  return requestJson<ISnapshotDiff>(['snapshots', 'diff'], { query });
}
