/**
 * Requests to the model evaluation routes (gates and benchmarks) and the JSON shapes they
 * return.
 */
import { firstPage, IListPage } from '../request';

/** A value with its confidence interval, in the metric's units. */
export interface IInterval {
  value: number;
  low: number;
  high: number;
}

/** One side of a gate: the version a reference resolved to and its metric value. */
export interface IGateSide extends IInterval {
  ref: string;
  version: number;
}

export interface IGuardrail {
  name: string;
  passed: boolean;
  /** False when there was nothing to compare: neither held nor failed. */
  checked?: boolean;
  detail: string;
}

/** The labelled snapshot an evaluation scored on. */
export interface IEvaluationData {
  snapshot: string;
  snapshot_id: string;
  dataset: string;
  version: number;
  rows: number;
  label: string;
}

interface IEvaluationBase {
  id: number;
  model: string;
  created_at: number;
  created_by: string;
  metric: string;
  confidence: number;
  resamples: number;
  seed: number;
  data: IEvaluationData;
  seconds: number;
}

export interface IGate extends IEvaluationBase {
  kind: 'gate';
  passed: boolean;
  higher_is_better: boolean;
  method: string;
  margin: number;
  challenger: IGateSide;
  champion: IGateSide;
  /** How much better the challenger is, positive = better, whichever way the metric goes. */
  improvement: IInterval;
  guardrails: IGuardrail[];
  reasons: string[];
  promoted: { alias: string; from_version: number | null; to_version: number } | null;
  /** Why a gate that passed moved no alias (asked to promote, but the alias had moved). */
  promotion_skipped?: string;
}

export interface ILeaderboardRow {
  ref: string;
  version: number;
  rank: number;
  values: Record<string, IInterval>;
  /** How much better the leader is on the first metric (paired); null for the leader. */
  behind_leader: IInterval | null;
}

export interface IBenchmark extends IEvaluationBase {
  kind: 'benchmark';
  passed: null;
  metrics: string[];
  higher_is_better: Record<string, boolean>;
  /** How each metric's intervals were found. */
  methods: Record<string, 'delong' | 'bootstrap'>;
  leaderboard: ILeaderboardRow[];
}

export type IEvaluation = IGate | IBenchmark;

/** A model's gates and benchmarks, newest first, in one request. */
export function listEvaluations(name: string): Promise<IListPage<IEvaluation>> {
  return firstPage<IEvaluation>(['models', name, 'evaluations'], 'evaluations');
}
