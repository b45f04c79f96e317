/**
 * Requests to the mlops-lab REST API: every part's api module calls `requestJson`.
 * Every call goes through ServerConnection so the token/XSRF handling is JupyterLab's own.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A metric value: finite numbers, or "NaN" / "Infinity" / "-Infinity" as strings. */
export type MetricValue = number | string;

/** The rows of a side-panel list and whether the server had more than it sent. */
export interface IListPage<T> {
  items: T[];
  truncated: boolean;
}

/** What every list answers besides its items: the server's one list contract. */
export interface IPage {
  /** Pass it back as `page_token` for the next page; null on the last page. */
  next_page_token: string | null;
  /** How many items the whole list has, where that is cheap to know; else null. */
  total: number | null;
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
    message: string,
    /** The whole error body: some errors say more (a bad filter's `column`). */
    readonly body: Record<string, unknown> = {}
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
    throw new ApiError(response.status, body?.error ?? 'Error', message, body ?? {});
  }
  return body as T;
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
