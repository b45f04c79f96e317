/**
 * Requests to the tracking REST routes (store, experiments, runs, metric histories,
 * artifacts) and the JSON shapes they return.
 */
import { allItems, apiUrl, IPage, MetricValue, requestJson } from '../request';
import { ServerConnection } from '@jupyterlab/services';

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface IStoreInfo {
  database: string;
  artifacts: string;
  version?: string;
}

export interface IExperiment {
  id: number;
  name: string;
  description: string | null;
  created_at: number;
  run_count: number;
  last_run_at: number | null;
}

export interface IRunSource {
  cell?: string;
  cell_hash?: string;
  notebook?: string | null;
  execution_count?: number | null;
  kind?: string;
}

export interface IGitInfo {
  commit?: string;
  branch?: string;
  dirty?: boolean;
  diff_hash?: string;
}

export interface IRunEnvironment {
  python?: string;
  platform?: string;
  packages?: Record<string, string>;
  git?: IGitInfo | null;
  seeds?: Record<string, unknown>;
}

export interface IRun {
  id: string;
  name: string;
  experiment_id: number;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  duration_ms: number | null;
  parent_run_id: string | null;
  /** How many runs were started under it (the runs of a search have it). */
  child_count?: number;
  error: string | null;
  params: Record<string, string>;
  metrics: Record<string, MetricValue>;
  tags: Record<string, string>;
  source?: IRunSource;
  environment?: IRunEnvironment;
  /** What the run read (inputs) and made (outputs): snapshots, feature sets, model versions. */
  links?: IRunLink[];
}

export interface IRunLink {
  direction: 'input' | 'output';
  kind: string;
  ref: string;
  label: string;
  created_at: number;
}

export interface IMetric {
  key: string;
  value: MetricValue;
  step: number;
  timestamp: number;
}

export interface IArtifact {
  path: string;
  size: number;
  blob: string;
  media_type: string | null;
  created_at: number;
}

export interface IRunPage extends IPage {
  runs: IRun[];
}

export interface IRunQuery {
  experiment?: string;
  filter?: string;
  orderBy?: string[];
  limit?: number;
  pageToken?: string | null;
  /** Ask for `total`, how many runs match over all pages (first page only). */
  count?: boolean;
}

/** The metric, param and tag keys runs have: what a filter can name. */
export interface IRunFields {
  metrics: string[];
  params: string[];
  tags: string[];
}

/** URL that downloads an artifact (same-origin GET; the session cookie authenticates it). */
export function artifactUrl(runId: string, path: string): string {
  return apiUrl(['runs', runId, 'artifacts', ...path.split('/')]);
}

function getJson<T>(segments: string[], query = ''): Promise<T> {
  return requestJson<T>(segments, { query: new URLSearchParams(query.replace(/^\?/, '')) });
}

export function getStore(): Promise<IStoreInfo> {
  return getJson<IStoreInfo>(['store']);
}

export function listExperiments(): Promise<IExperiment[]> {
  return allItems<IExperiment>(['experiments'], 'experiments');
}

export function searchRuns(query: IRunQuery): Promise<IRunPage> {
  const params = new URLSearchParams();
  if (query.experiment) {
    params.append('experiment', query.experiment);
  }
  if (query.filter) {
    params.append('filter', query.filter);
  }
  for (const item of query.orderBy ?? []) {
    params.append('order_by', item);
  }
  if (query.limit) {
    params.append('limit', String(query.limit));
  }
  if (query.pageToken) {
    params.append('page_token', query.pageToken);
  }
  if (query.count) {
    params.append('count', 'true');
  }
  const qs = params.toString();
  return getJson<IRunPage>(['runs'], qs ? `?${qs}` : '');
}

/** The values a param or tag (`params.model`) has on the runs of an experiment ('' for all). */
export async function runFieldValues(field: string, experiment: string): Promise<string[]> {
  const query = new URLSearchParams({ field });
  if (experiment) {
    query.set('experiment', experiment);
  }
  const found = await getJson<{ values: string[] }>(['runs', 'fields', 'values'], `?${query}`);
  return found.values;
}

export function runFields(experiment: string): Promise<IRunFields> {
  return getJson<IRunFields>(['runs', 'fields'], experiment ? `?experiment=${encodeURIComponent(experiment)}` : '');
}

export function getRun(runId: string): Promise<IRun> {
  return getJson<IRun>(['runs', runId]);
}

export function metricHistory(runId: string, key: string): Promise<IMetric[]> {
  return allItems<IMetric>(['runs', runId, 'metrics', key], 'history');
}

/** Several metrics' histories of a run in one request. */
export async function metricHistories(
  runId: string,
  keys: string[]
): Promise<Record<string, IMetric[]>> {
  const query = new URLSearchParams();
  keys.forEach(key => query.append('key', key));
  const body = await requestJson<{ histories: Record<string, IMetric[]> }>(
    ['runs', runId, 'metric-histories'],
    { query }
  );
  return body.histories;
}

export function listArtifacts(runId: string): Promise<IArtifact[]> {
  return allItems<IArtifact>(['runs', runId, 'artifacts'], 'artifacts');
}

/** What the run view shows of an artifact (the server's artifact-previews route). */
export interface IArtifactPreview {
  path: string;
  size: number;
  kind: 'text' | 'json' | 'table' | 'plotly' | 'image' | 'notebook' | 'model' | 'none';
  text?: string;
  truncated?: boolean;
  message?: string;
  columns?: string[];
  rows?: unknown[][];
  total_rows?: number | null;
  figure?: { data?: Record<string, unknown>[]; layout?: Record<string, unknown> };
  media_type?: string | null;
  html?: string;
  format?: string;
  versions?: { name: string; version: number; card: string }[];
}

export function previewArtifact(runId: string, path: string): Promise<IArtifactPreview> {
  return requestJson<IArtifactPreview>(['runs', runId, 'artifact-previews', ...path.split('/')]);
}

/** The artifact's bytes as a blob (for an image preview: same request, same auth). */
export async function artifactBlob(runId: string, path: string): Promise<Blob> {
  const response = await ServerConnection.makeRequest(
    artifactUrl(runId, path),
    {},
    ServerConnection.makeSettings()
  );
  if (!response.ok) {
    throw new Error(`The server answered ${response.status} ${response.statusText}.`);
  }
  return response.blob();
}
