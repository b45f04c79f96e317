/**
 * The DAG routes of the REST API and the JSON they return.
 */
import { requestJson } from '../request';

export type DagRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type DagStepStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface IDagStep {
  name: string;
  notebook: string;
  status: DagStepStatus;
  depends_on: string[];
  /** The longest chain of upstream steps: the column the step is drawn in. */
  depth: number;
  attempt: number | null;
  parameters: Record<string, unknown>;
  declared_parameters: Record<string, unknown>;
  outputs: Record<string, unknown>;
  pipeline_run_id: string | null;
  run_id: string | null;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
}

export interface IDagRunSummary {
  id: string;
  name: string;
  file: string;
  status: DagRunStatus;
  attempt: number;
  concurrency: number;
  error: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  counts: Record<string, number>;
}

export interface IDagRun extends IDagRunSummary {
  steps: IDagStep[];
  edges: { from: string; to: string }[];
}

export async function listDagRuns(): Promise<IDagRunSummary[]> {
  const body = await requestJson<{ dag_runs: IDagRunSummary[] }>(['dag-runs']);
  return body.dag_runs;
}

export function getDagRun(id: string): Promise<IDagRun> {
  return requestJson<IDagRun>(['dag-runs', id]);
}

export function resumeDagRun(id: string): Promise<IDagRun> {
  return requestJson<IDagRun>(['dag-runs', id, 'resume'], { method: 'POST', body: {} });
}

/** A DAG run id: 32 lowercase hexadecimal characters. */
export function isDagRunId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}
