/**
 * Requests to the mlops-lab REST API and the JSON shapes it returns.
 * Every call goes through ServerConnection so the token/XSRF handling is JupyterLab's own.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A metric value: finite numbers, or "NaN" / "Infinity" / "-Infinity" as strings. */
export type MetricValue = number | string;

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

/** What every list answers besides its items: the server's one list contract. */
export interface IPage {
  /** Pass it back as `page_token` for the next page; null on the last page. */
  next_page_token: string | null;
  /** How many items the whole list has, where that is cheap to know; else null. */
  total: number | null;
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
}

/** The rows of a side-panel list and whether the server had more than it sent. */
export interface IListPage<T> {
  items: T[];
  truncated: boolean;
}

/** The most items one page may hold (the server refuses a larger limit). */
export const LIST_MAX = 9999;
/** The rows a side-panel list shows before it asks the user to narrow the search. */
export const PANEL_LIST_LIMIT = 1000;

/** An error answered by the server: `message` is written for the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string
  ) {
    super(message);
  }
}

const API_ROOT = 'mlops-lab/api';

/** Absolute URL of an API path (segments are URL-encoded here). */
export function apiUrl(
  segments: string[],
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(
    settings.baseUrl,
    API_ROOT,
    ...segments.map(s => encodeURIComponent(s))
  );
}

/** URL that downloads an artifact (same-origin GET; the session cookie authenticates it). */
export function artifactUrl(runId: string, path: string): string {
  return apiUrl(['runs', runId, 'artifacts', ...path.split('/')]);
}

/**
 * A JSON request to the API; the server's error message becomes an ApiError.
 * Every part's api module calls this (GET by default; `body` is sent as JSON).
 */
export async function requestJson<T>(
  segments: string[],
  options: { method?: string; body?: unknown; query?: URLSearchParams } = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const query = options.query?.toString();
  const url = apiUrl(segments, settings) + (query ? `?${query}` : '');
  const init: RequestInit = { method: options.method ?? 'GET' };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ApiError(0, 'NetworkError', `The Jupyter server did not answer: ${error}`);
  }
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message =
      body?.message ?? `The server answered ${response.status} ${response.statusText}.`;
    throw new ApiError(response.status, body?.error ?? 'Error', message);
  }
  return body as T;
}

function getJson<T>(segments: string[], query = ''): Promise<T> {
  return requestJson<T>(segments, { query: new URLSearchParams(query.replace(/^\?/, '')) });
}

/** The first page of a side-panel list (`key` names its items in the answer). */
export async function firstPage<T>(
  segments: string[],
  key: string,
  query = new URLSearchParams(),
  limit = PANEL_LIST_LIMIT
): Promise<IListPage<T>> {
  const params = new URLSearchParams(query);
  params.set('limit', String(limit));
  const body = await requestJson<IPage & Record<string, unknown>>(segments, { query: params });
  return { items: body[key] as T[], truncated: body.next_page_token !== null };
}

/** Every item of a list a view shows whole, page after page (almost always one page). */
export async function allItems<T>(
  segments: string[],
  key: string,
  query = new URLSearchParams()
): Promise<T[]> {
  const items: T[] = [];
  let token: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(LIST_MAX));
    if (token) {
      params.set('page_token', token);
    }
    const body: IPage & Record<string, unknown> = await requestJson(segments, {
      query: params
    });
    items.push(...(body[key] as T[]));
    token = body.next_page_token;
  } while (token);
  return items;
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
  const qs = params.toString();
  return getJson<IRunPage>(['runs'], qs ? `?${qs}` : '');
}

export function getRun(runId: string): Promise<IRun> {
  return getJson<IRun>(['runs', runId]);
}

export function metricHistory(runId: string, key: string): Promise<IMetric[]> {
  return allItems<IMetric>(['runs', runId, 'metrics', key], 'history');
}

export function listArtifacts(runId: string): Promise<IArtifact[]> {
  return allItems<IArtifact>(['runs', runId, 'artifacts'], 'artifacts');
}
