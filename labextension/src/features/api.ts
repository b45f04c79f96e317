/**
 * Requests to the feature store's REST routes and the JSON shapes they return.
 */
import { firstPage, IListPage, requestJson } from '../request';

export interface IFeatureFreshness {
  version: number | null;
  last_materialized: number | null;
  newest_event_time: number | null;
  row_count: number | null;
  entity_count: number | null;
}

export interface IFeatureMaterialization {
  id: string;
  version_id: string;
  feature_set: string;
  version: number;
  row_count: number;
  entity_count: number;
  min_event_time: number | null;
  max_event_time: number | null;
  source: { kind: string; ref: string | null; label: string | null };
  online_store: string | null;
  run_id: string | null;
  created_at: number;
}

export interface IFeatureSetVersion {
  id: string;
  feature_set: string;
  version: number;
  source: string;
  source_hash: string;
  function_name: string;
  module: string | null;
  entity: string[];
  timestamp: string;
  ttl_ms: number | null;
  schema: Record<string, string> | null;
  features: string[];
  owner: string | null;
  description: string | null;
  tags: Record<string, string>;
  created_at: number;
  last_materialization: IFeatureMaterialization | null;
}

/** A run that read a version of a feature set (made a training set from it). */
export interface IFeatureSetReader {
  run_id: string;
  name: string;
  status: string;
  start_time: number;
  experiment_id: number;
  version: number;
}

export interface IFeatureSet {
  id: number;
  name: string;
  created_at: number;
  latest_version: number;
  live_version: number | null;
  version_count: number;
  entity: string[];
  timestamp: string;
  features: string[];
  owner: string | null;
  description: string | null;
  tags: Record<string, string>;
  sources: string[];
  freshness: IFeatureFreshness;
  versions?: IFeatureSetVersion[];
  /** With one feature set: the runs that read it, newest first. */
  readers?: IFeatureSetReader[];
}

export async function searchFeatureSets(query: string): Promise<IListPage<IFeatureSet>> {
  const params = new URLSearchParams();
  if (query.trim()) {
    params.append('q', query.trim());
  }
  return firstPage<IFeatureSet>(['feature-sets'], 'feature_sets', params);
}

export function getFeatureSet(name: string): Promise<IFeatureSet> {
  return requestJson<IFeatureSet>(['feature-sets', name]);
}
