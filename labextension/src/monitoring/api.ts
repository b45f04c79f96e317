/**
 * Requests to the monitors' and alerts' REST routes and the JSON shapes they return
 * (server/openapi/monitors.yaml, server/openapi/alerts.yaml).
 */
import { ApiError, firstPage, IListPage, MetricValue, requestJson } from '../request';

export type RunStatus = 'ok' | 'drift' | 'no data' | 'failed' | 'running';

export interface IPerformanceSummary {
  metric: string;
  value: number | null;
  estimated: boolean;
  training: number | null;
}

/** A monitor run in brief: what the charts over time draw. */
export interface IMonitorRunSummary {
  id: number;
  monitor: string;
  trigger: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  model_version: number | null;
  rows_current: number | null;
  drift_share: MetricValue | null;
  drifted_features: string[];
  message: string | null;
  error: string | null;
  effect_sizes: Record<string, number | null>;
  performance: IPerformanceSummary | null;
}

/** The data a feature's drift was decided on: shares per bin, or per category. */
export type IPicture =
  | { edges: number[]; reference: number[]; current: number[] }
  | { categories: string[]; reference: number[]; current: number[] };

export interface IFeatureDrift {
  name: string;
  kind: string;
  method: string | null;
  statistic: MetricValue | null;
  p_value: MetricValue | null;
  p_value_adjusted: MetricValue | null;
  effect_size: MetricValue | null;
  effect_method: string | null;
  threshold: number | null;
  drifted: boolean;
  status: string;
  message: string | null;
  missing_share_ref?: number | null;
  missing_share_cur?: number | null;
  new_categories?: string[];
  out_of_range_share?: number | null;
  picture?: IPicture | null;
}

export interface IDriftReport {
  features: IFeatureDrift[];
  drift_share: MetricValue | null;
  drifted: boolean;
  drifted_features: string[];
}

export interface IStaleness {
  version_age_s: number | null;
  since_retraining_s: number | null;
  training_data_age_s: number | null;
  /** Since the stalest feature set the version read was last materialised. */
  feature_data_age_s?: number | null;
  since_prediction_s: number | null;
}

export interface IPerformance extends IPerformanceSummary {
  labelled_rows?: number | null;
  training_metric?: string | null;
  label_lag_s?: number | null;
  note?: string | null;
}

export interface IMonitorRun extends IMonitorRunSummary {
  result: {
    reference?: string | null;
    current?: string | null;
    rows_reference?: number | null;
    rows_current?: number | null;
    staleness?: IStaleness | null;
    drift?: IDriftReport | null;
    prediction_drift?: IDriftReport | null;
    performance?: IPerformance | null;
    message?: string | null;
  };
}

export interface IMonitor {
  id: number;
  name: string;
  model: string;
  alias: string;
  target: string;
  current: Record<string, unknown>;
  reference: string | null;
  reference_version: number | null;
  label_metric: string | null;
  schedule: string | null;
  next_run_at: number | null;
  created_at: number;
}

export interface IMonitorListItem extends IMonitor {
  last_run: IMonitorRunSummary | null;
}

/** A monitor's view in one answer: its last runs in brief, newest first, and the newest in full. */
export interface IMonitorOverview extends IMonitor {
  runs: IMonitorRunSummary[];
  latest: IMonitorRun | null;
}

export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface IAlert {
  id: number;
  key: string;
  state: AlertState;
  severity: string;
  message: string;
  /** The monitor that raised it (by name), if a monitor did. */
  monitor?: string | null;
  model?: string | null;
  /** The contract's first name for `model`, read as well. */
  model_name?: string | null;
  alias: string | null;
  feature: string | null;
  monitor_id: number | null;
  opened_at: number;
  last_seen_at: number;
  times_seen: number;
  times_reopened: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  note: string | null;
}

/** The monitors (of one model when `model` is given). */
export function listMonitors(model?: string): Promise<IListPage<IMonitorListItem>> {
  const query = new URLSearchParams(model ? { model } : {});
  return firstPage<IMonitorListItem>(['monitors'], 'monitors', query);
}

export function getMonitor(name: string): Promise<IMonitorOverview> {
  return requestJson<IMonitorOverview>(['monitors', name]);
}

/** The monitor's newest run in brief (null before its first): a light check for a newer run. */
export async function newestMonitorRun(name: string): Promise<IMonitorRunSummary | null> {
  const query = new URLSearchParams({ limit: '1' });
  const page = await requestJson<{ runs: IMonitorRunSummary[] }>(['monitors', name, 'runs'], {
    query
  });
  return page.runs[0] ?? null;
}

/** What "New monitor…" sends (the server checks every field). */
export interface INewMonitor {
  target: string;
  name?: string;
  last?: number;
  window?: string;
  snapshot?: string;
  label?: string;
  schedule?: string;
}

export function createMonitor(spec: INewMonitor): Promise<IMonitor> {
  return requestJson<IMonitor>(['monitors'], { method: 'POST', body: spec });
}

/** Runs the monitor now; the stored run. */
export function runMonitor(name: string): Promise<IMonitorRun> {
  return requestJson<IMonitorRun>(['monitors', name, 'runs'], { method: 'POST' });
}

/** Alerts in a state (all states when null); null when this server has no alerts routes. */
export async function listAlerts(state: AlertState | null): Promise<IListPage<IAlert> | null> {
  const query = new URLSearchParams();
  if (state) {
    query.set('state', state);
  }
  try {
    return await firstPage<IAlert>(['alerts'], 'alerts', query);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

/** The badge's count of open alerts ("100+" past a page); null when this server has no
 * alerts routes. */
export async function countOpenAlerts(): Promise<string | null> {
  const query = new URLSearchParams({ state: 'open' });
  try {
    const page = await firstPage<IAlert>(['alerts'], 'alerts', query, BADGE_LIMIT);
    return page.truncated ? `${BADGE_LIMIT}+` : String(page.items.length);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

const BADGE_LIMIT = 100;

export function moveAlert(
  id: number,
  action: 'acknowledge' | 'resolve',
  note: string
): Promise<IAlert> {
  return requestJson<IAlert>(['alerts', String(id), action], {
    method: 'POST',
    body: { note: note || null }
  });
}

/** A delivery of an alert event (or a test event) to a webhook, as the log keeps it. */
export interface IWebhookDelivery {
  id: number;
  webhook_id: number;
  alert_id: number | null;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** Where alert events are sent, with how its deliveries stand (never its secret). */
export interface IWebhook {
  id: number;
  name: string;
  url: string;
  has_secret: boolean;
  enabled: boolean;
  created_at: number;
  deliveries?: {
    delivered: number;
    retrying: number;
    waiting: number;
    failed: number;
    failing: boolean;
    last_failure: IWebhookDelivery | null;
  };
}

/** The webhooks; null when this server has no webhooks routes. */
export async function listWebhooks(): Promise<IListPage<IWebhook> | null> {
  try {
    return await firstPage<IWebhook>(['webhooks'], 'webhooks');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

/** Sends a test event now; the delivery as it stands after the attempt. */
export function testWebhook(id: number): Promise<IWebhookDelivery> {
  return requestJson<IWebhookDelivery>(['webhooks', String(id), 'test'], {
    method: 'POST',
    body: {}
  });
}
