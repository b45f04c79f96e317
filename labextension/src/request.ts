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
