/**
 * Requests to the pipelines REST API and the JSON shapes it returns.
 */
import { allItems, requestJson } from '../request';

export type PipelineStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export const ENDED: PipelineStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface IFailingCell {
  index: number;
  execution_count: number | null;
  source: string;
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface IEffectiveParameter {
  value?: unknown;
  /** A default that is not a literal, as written in the `parameters` cell. */
  expression?: string;
  /** The value as the notebook reads it (`2.0`, `'rbf'`): JSON cannot tell 2.0 from 2. */
  text?: string;
  from: 'given' | 'default' | 'not declared';
}

export interface IPipelineRun {
  id: string;
  notebook: string;
  notebook_path: string | null;
  notebook_hash: string | null;
  kernel_name: string | null;
  status: PipelineStatus;
  parameters: Record<string, unknown>;
  /** Every parameter the run used: given, the notebook's default, or not declared. */
  effective_parameters?: Record<string, IEffectiveParameter>;
  outputs: Record<string, unknown>;
  error: string | null;
  failing_cell: IFailingCell | null;
  output_notebook: string | null;
  output_path: string | null;
  has_output: boolean;
  has_log: boolean;
  run_id: string | null;
  parent_run_id: string | null;
  schedule_id: string | null;
  fire_time: number | null;
  reproduce_of: string | null;
  tags: Record<string, string>;
  timeout: number | null;
  retries: number;
  attempt: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
}

export interface INotebookParameter {
  name: string;
  type: string;
  default: string;
  value: unknown;
  help: string;
}

export interface ISchedule {
  id: string;
  name: string;
  notebook: string;
  notebook_path: string | null;
  parameters: Record<string, unknown>;
  cron: string;
  timezone: string;
  enabled: boolean;
  missed: 'skip' | 'run_once';
  keep_last: number | null;
  timeout: number | null;
  retries: number;
  max_queued: number;
  /** Milliseconds since the epoch. */
  next_fire_times: number[];
  /** The same times in the schedule's time zone, ISO 8601 with the offset. */
  next_fire_times_local: string[];
  created_at: number;
  updated_at: number;
}

export interface IScheduleInput {
  notebook?: string;
  cron?: string;
  timezone?: string;
  name?: string;
  parameters?: Record<string, unknown>;
  enabled?: boolean;
  missed?: 'skip' | 'run_once';
  keep_last?: number | null;
  max_queued?: number;
}

/** One thing that differs between a run and its reproduction. */
export interface IDifference {
  kind: string;
  name: string;
  before: unknown;
  after: unknown;
  /** The side that did not record it. */
  missing?: 'before' | 'after';
}

export interface IComparison {
  original_id: string;
  reproduction_id: string;
  status: { original: string; reproduction: string };
  same_notebook: boolean;
  verdict: 'reproduced' | 'differs' | 'cannot tell';
  summary: string;
  compared: number;
  counts: Record<string, number>;
  differences: IDifference[];
  ignored: { kind: string; name: string; why: string }[];
  not_compared: string[];
  tolerance: { rel: number; abs: number; ignore: string[] };
  masked: string[];
}

export interface IReproductionCheck {
  original: IPipelineRun;
  inputs: {
    kind: string;
    ref: string;
    label: string;
    exists: boolean | null;
    note: string | null;
  }[];
  environment_changes: {
    python?: { before: string; after: string };
    platform?: { before: string; after: string };
    git_commit?: { before: string | null; after: string | null };
    packages?: Record<string, { before: string | null; after: string | null }>;
  } | null;
  environment_recorded: boolean;
  problems: string[];
  reproduction?: IPipelineRun;
}

export async function listPipelineRuns(limit = 200): Promise<IPipelineRun[]> {
  const body = await requestJson<{ pipeline_runs: IPipelineRun[] }>(['pipeline-runs'], {
    query: new URLSearchParams({ limit: String(limit) })
  });
  return body.pipeline_runs;
}

export function getPipelineRun(id: string): Promise<IPipelineRun> {
  return requestJson<IPipelineRun>(['pipeline-runs', id]);
}

export function startPipelineRun(
  notebook: string,
  parameters: Record<string, unknown>
): Promise<IPipelineRun> {
  return requestJson<IPipelineRun>(['pipeline-runs'], {
    method: 'POST',
    body: { notebook, parameters }
  });
}

export function cancelPipelineRun(id: string): Promise<IPipelineRun> {
  return requestJson<IPipelineRun>(['pipeline-runs', id, 'cancel'], { method: 'POST' });
}

export async function pipelineRunLog(id: string): Promise<string> {
  return (await requestJson<{ log: string }>(['pipeline-runs', id, 'log'])).log;
}

export function getComparison(id: string): Promise<IComparison> {
  return requestJson<IComparison>(['pipeline-runs', id, 'comparison']);
}

export async function notebookParameters(notebook: string): Promise<INotebookParameter[]> {
  const body = await requestJson<{ parameters: INotebookParameter[] }>(
    ['pipelines', 'parameters'],
    { query: new URLSearchParams({ notebook }) }
  );
  return body.parameters;
}

export function checkReproduction(runId: string): Promise<IReproductionCheck> {
  return requestJson<IReproductionCheck>(['pipeline-runs', runId, 'reproduction']);
}

export function startReproduction(runId: string, force = false): Promise<IReproductionCheck> {
  return requestJson<IReproductionCheck>(['pipeline-runs', runId, 'reproduction'], {
    method: 'POST',
    body: { force }
  });
}

export function listSchedules(): Promise<ISchedule[]> {
  return allItems<ISchedule>(['schedules'], 'schedules');
}

export function createSchedule(input: IScheduleInput): Promise<ISchedule> {
  return requestJson<ISchedule>(['schedules'], { method: 'POST', body: input });
}

export function editSchedule(id: string, input: IScheduleInput): Promise<ISchedule> {
  return requestJson<ISchedule>(['schedules', id], { method: 'PATCH', body: input });
}

export function deleteSchedule(id: string): Promise<void> {
  return requestJson<void>(['schedules', id], { method: 'DELETE' });
}
