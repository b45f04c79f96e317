/**
 * Continuous training over REST (mlops_lab/server/openapi/retraining.yaml): a model's
 * retraining rules, their firings, and what the model view does with them.
 */
import { allItems, firstPage, IListPage, requestJson } from '../request';

export type RetrainingTrigger = 'alert' | 'snapshot' | 'schedule';
export type FiringStatus =
  | 'running'
  | 'judging'
  | 'promoted'
  | 'kept'
  | 'registered'
  | 'failed'
  | 'skipped';

export interface IRetrainingGate {
  data: string;
  label: string;
  metric?: string | null;
  margin?: number | null;
  [setting: string]: unknown;
}

export interface IRetrainingRule {
  id: number;
  name: string;
  model: string;
  trigger: RetrainingTrigger;
  monitor: string | null;
  dataset: string | null;
  cron: string | null;
  timezone: string | null;
  notebook: string;
  /** Relative to the server's root; null when the notebook lies outside it. */
  notebook_path: string | null;
  parameters: Record<string, unknown>;
  gate: IRetrainingGate | null;
  alias: string;
  keep_previous: string | null;
  cooldown_s: number;
  timeout_s: number | null;
  enabled: boolean;
  created_at: number;
  created_by: string;
  /** What the trigger watches, in words. */
  watches: string;
}

/** What fired a retraining: one of the trigger kinds with its detail. */
export interface IFiringTrigger {
  kind: 'alert' | 'snapshot' | 'schedule' | 'by hand';
  alert?: number;
  message?: string;
  snapshot?: string;
  snapshot_id?: string;
  fire_time?: number;
  by?: string;
  /** How many trigger events this firing stands for. */
  events?: number;
}

export interface IFiring {
  id: number;
  rule_id: number;
  rule: string;
  fired_at: number;
  trigger: IFiringTrigger;
  status: FiringStatus;
  pipeline_run_id: string | null;
  dag_run_id: string | null;
  version: number | null;
  evaluation_id: number | null;
  message: string | null;
  ended_at: number | null;
}

/** The body of a new rule (the server checks every value and says what is wrong). */
export interface INewRetrainingRule {
  name: string;
  model: string;
  notebook: string;
  on: RetrainingTrigger;
  monitor?: string;
  dataset?: string;
  cron?: string;
  parameters?: Record<string, unknown>;
  gate?: IRetrainingGate | null;
  cooldown?: string;
}

/** A model's rules and its newest firings: the two requests of one poll. */
export interface IRetraining {
  rules: IRetrainingRule[];
  firings: IListPage<IFiring>;
}

const RULES = ['retraining', 'rules'];
/** The firings the view lists (newest first); older ones stay in `mlops-lab retrain`. */
const FIRINGS_SHOWN = 50;

export async function loadRetraining(model: string): Promise<IRetraining> {
  const query = new URLSearchParams({ model });
  const [rules, firings] = await Promise.all([
    allItems<IRetrainingRule>(RULES, 'rules', query),
    firstPage<IFiring>(['retraining', 'firings'], 'firings', query, FIRINGS_SHOWN)
  ]);
  return { rules, firings };
}

export function createRule(rule: INewRetrainingRule): Promise<IRetrainingRule> {
  return requestJson(RULES, { method: 'POST', body: rule });
}

export function setRuleEnabled(rule: string, enabled: boolean): Promise<IRetrainingRule> {
  return requestJson([...RULES, rule], { method: 'PATCH', body: { enabled } });
}

export function deleteRule(rule: string): Promise<IRetrainingRule> {
  return requestJson([...RULES, rule], { method: 'DELETE' });
}

export function fireRule(rule: string): Promise<IFiring> {
  return requestJson([...RULES, rule, 'fire'], { method: 'POST' });
}
