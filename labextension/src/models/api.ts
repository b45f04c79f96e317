/**
 * Requests to the registry's REST routes and the JSON shapes they return.
 */
import { firstPage, IListPage, MetricValue, requestJson } from '../request';
import { IAlert } from '../monitoring/api';

export interface IColumn {
  name: string;
  dtype: string;
}

export interface ISignature {
  inputs: IColumn[];
  outputs: IColumn[];
}

export interface IModel {
  name: string;
  description: string | null;
  latest_version: number;
  aliases: Record<string, number>;
  created_at: number;
  updated_at: number;
}

export interface ILinkedThing {
  kind: string;
  ref: string;
  label: string;
}

export interface IModelVersion {
  name: string;
  version: number;
  ref: string;
  aliases: string[];
  description: string | null;
  format: string;
  model_class: string;
  size: number;
  blob: string;
  created_at: number;
  created_by: string;
  run_id: string | null;
  artifact: string | null;
  metrics: Record<string, MetricValue>;
  signature: ISignature;
  onnx: IOnnxExport | null;
}

/** How an ONNX export compared with scikit-learn before it was kept. */
export interface IOnnxVerification {
  rows_compared: number;
  sources: string[];
  compared: string;
  label_agreement: number | null;
  max_abs_difference: number;
  max_rel_difference?: number;
  tolerance: Record<string, number>;
  passed: boolean;
}

/** A version's ONNX file (content addressed) and its verification figures. */
export interface IOnnxExport {
  blob: string;
  size: number;
  opset: number;
  layout: 'matrix' | 'columns';
  inputs: string[];
  outputs: string[];
  created_at: number;
  created_by: string;
  verification: IOnnxVerification;
}

export interface ILineage {
  version: string;
  run: {
    id: string;
    name: string;
    status: string;
    experiment_id: number;
    start_time: number;
    end_time: number | null;
  } | null;
  source: {
    cell?: string;
    notebook?: string | null;
    execution_count?: number | null;
    kind?: string;
  };
  inputs: ILinkedThing[];
  outputs: ILinkedThing[];
  artifact: string | null;
}

export interface IModelVersionDetail extends IModelVersion {
  trusted_types: string[];
  requirements: Record<string, string>;
  params: Record<string, string>;
  source: Record<string, unknown>;
  inputs: ILinkedThing[];
  card: string;
  lineage: ILineage;
}

export interface IAliasMove {
  name: string;
  alias: string;
  from_version: number | null;
  to_version: number | null;
  reason: string | null;
  moved_by: string;
  moved_at: number;
  /** The gate (a model evaluation) whose evidence moved the alias; null for a move by hand. */
  evaluation_id?: number | null;
}

/** A model with what its view shows, as `GET models/{name}` answers. */
export interface IModelOverview extends IModel {
  versions: IModelVersion[];
  history: IAliasMove[];
  /** Its alerts not yet resolved (open, then acknowledged). */
  alerts?: IAlert[];
}

export async function listModels(q: string): Promise<IListPage<IModel>> {
  const query = new URLSearchParams();
  if (q.trim()) {
    query.append('q', q.trim());
  }
  return firstPage<IModel>(['models'], 'models', query);
}

/** The model with its versions and alias history, in one request. */
export function getModel(name: string): Promise<IModelOverview> {
  return requestJson<IModelOverview>(['models', name]);
}

export function getVersion(name: string, version: number): Promise<IModelVersionDetail> {
  return requestJson<IModelVersionDetail>(['models', name, 'versions', String(version)]);
}

export function setAlias(
  name: string,
  alias: string,
  version: number,
  reason: string
): Promise<IAliasMove> {
  return requestJson<IAliasMove>(['models', name, 'aliases', alias], {
    method: 'POST',
    body: { version, reason: reason || null }
  });
}

export function deleteAlias(name: string, alias: string, reason: string): Promise<IAliasMove> {
  return requestJson<IAliasMove>(['models', name, 'aliases', alias], {
    method: 'DELETE',
    body: { reason: reason || null }
  });
}

/** Points the alias back where it was before its latest move (the server decides where). */
export function rollbackAlias(name: string, alias: string, reason: string): Promise<IAliasMove> {
  return requestJson<IAliasMove>(['models', name, 'aliases', alias, 'rollback'], {
    method: 'POST',
    body: { reason: reason || null }
  });
}

/** The alias rule the server applies, so the form can say so before sending. */
export const ALIAS_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
