/**
 * A feature set in the main area: its definition, freshness, features with their types,
 * versions, the runs that read it, and the source code of the selected version with how to use it.
 */
import React, { useState } from 'react';
import { absoluteTime, formatExactDuration, relativeTime } from '../format';
import { getFeatureSet, IFeatureSet, IFeatureSetVersion } from './api';
import { FeatureSetReaders } from './FeatureSetReaders';
import { ViewStatus } from '../common/ViewStatus';
import { ON_DEMAND, usePolling } from '../usePolling';
import { Section } from '../common/Section';

export interface IFeatureSetViewProps {
  name: string;
  onOpenRun: (runId: string) => void;
}

export function FeatureSetView(props: IFeatureSetViewProps): JSX.Element {
  const [selected, setSelected] = useState<number | null>(null);
  const { data: item, error, reload: load } = usePolling(
    () => getFeatureSet(props.name),
    [props.name],
    ON_DEMAND
  );

  if (!item) {
    return <ViewStatus error={error} what="feature set" />;
  }
  const versions = item.versions ?? [];
  const shownNumber = selected ?? item.live_version ?? item.latest_version;
  const shown = versions.find(v => v.version === shownNumber) ?? versions[0];
  const fresh = item.freshness;

  return (
    <div className="mlops-lab-view mlops-lab-feature-set-view" data-testid="mlops-lab-feature-set-view">
      <div className="mlops-lab-view-header">
        <h2 title={item.name}>Feature set {item.name}</h2>
        <button className="mlops-lab-link-button" onClick={load} title="Load it again">
          Refresh
        </button>
      </div>
      {item.description && <p className="mlops-lab-feature-description">{item.description}</p>}
      <dl className="mlops-lab-facts">
        <dt>Entity</dt>
        <dd>{item.entity.join(', ')}</dd>
        <dt>Event time</dt>
        <dd>{item.timestamp}</dd>
        <dt>Live version</dt>
        <dd>{item.live_version ? `v${item.live_version}` : 'not materialised yet'}</dd>
        <dt>Newest version</dt>
        <dd>
          v{item.latest_version} ({item.version_count} version{item.version_count === 1 ? '' : 's'})
        </dd>
        <dt>Owner</dt>
        <dd>{item.owner ?? '—'}</dd>
        {Object.keys(item.tags).length > 0 && (
          <>
            <dt>Tags</dt>
            <dd>
              {Object.entries(item.tags).map(([key, value]) => (
                <span className="mlops-lab-feature-tag" key={key}>
                  {value ? `${key}=${value}` : key}
                </span>
              ))}
            </dd>
          </>
        )}
        {item.sources.length > 0 && (
          <>
            <dt>Sources</dt>
            <dd>{item.sources.join(', ')}</dd>
          </>
        )}
      </dl>

      <Section title="Freshness" testId="mlops-lab-feature-freshness">
        {fresh.last_materialized === null ? (
          <p className="mlops-lab-empty">
            Not materialised: run ml.materialize({JSON.stringify(item.name)}, source=...) in a
            notebook.
          </p>
        ) : (
          <div className="mlops-lab-freshness">
            <div className="mlops-lab-freshness-cell">
              <span className="mlops-lab-freshness-label">Last materialised</span>
              <span className="mlops-lab-freshness-value" title={absoluteTime(fresh.last_materialized)}>
                {relativeTime(fresh.last_materialized)}
              </span>
            </div>
            <div className="mlops-lab-freshness-cell">
              <span className="mlops-lab-freshness-label">Newest event time</span>
              <span className="mlops-lab-freshness-value">{absoluteTime(fresh.newest_event_time)}</span>
            </div>
            <div className="mlops-lab-freshness-cell">
              <span className="mlops-lab-freshness-label">Rows</span>
              <span className="mlops-lab-freshness-value" data-testid="mlops-lab-feature-rows">
                {fresh.row_count?.toLocaleString()}
              </span>
            </div>
            <div className="mlops-lab-freshness-cell">
              <span className="mlops-lab-freshness-label">Entities</span>
              <span className="mlops-lab-freshness-value">{fresh.entity_count?.toLocaleString()}</span>
            </div>
          </div>
        )}
      </Section>

      <Section title="Versions">
        <table className="mlops-lab-compare-table mlops-lab-feature-versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Registered</th>
              <th>Source hash</th>
              <th>Owner</th>
              <th>Rows</th>
              <th>Materialised</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {versions.map(v => (
              <VersionRow
                key={v.id}
                version={v}
                live={v.version === item.live_version}
                selected={v.version === shown?.version}
                onSelect={() => setSelected(v.version)}
                onOpenRun={props.onOpenRun}
              />
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Read by" testId="mlops-lab-feature-readers">
        <FeatureSetReaders readers={item.readers ?? []} onOpenRun={props.onOpenRun} />
      </Section>

      {shown && <VersionDetail item={item} version={shown} />}
    </div>
  );
}

function VersionRow(props: {
  version: IFeatureSetVersion;
  live: boolean;
  selected: boolean;
  onSelect: () => void;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const v = props.version;
  const m = v.last_materialization;
  return (
    <tr
      className={props.selected ? 'mlops-lab-selected' : ''}
      data-testid="mlops-lab-feature-version-row"
    >
      <td>
        <button className="mlops-lab-link-button" onClick={props.onSelect} title="Show this version">
          v{v.version}
        </button>
        {props.live && <span className="mlops-lab-feature-tag mlops-lab-feature-live">live</span>}
      </td>
      <td title={absoluteTime(v.created_at)}>{relativeTime(v.created_at)}</td>
      <td>{v.source_hash.slice(0, 12)}</td>
      <td>{v.owner ?? '—'}</td>
      <td>{m ? m.row_count.toLocaleString() : '—'}</td>
      <td title={m ? absoluteTime(m.created_at) : ''}>{m ? relativeTime(m.created_at) : '—'}</td>
      <td>
        {m ? m.source.label ?? m.source.kind : '—'}
        {m?.run_id && (
          <button
            className="mlops-lab-link-button"
            onClick={() => props.onOpenRun(m.run_id as string)}
            title="Open the run that materialised it"
          >
            run
          </button>
        )}
      </td>
    </tr>
  );
}

function VersionDetail(props: { item: IFeatureSet; version: IFeatureSetVersion }): JSX.Element {
  const v = props.version;
  const pinned = v.version === props.item.live_version ? v.feature_set : `${v.feature_set}@v${v.version}`;
  // JSON string literals are valid Python string literals for any name.
  const refs = v.features.slice(0, 3).map(f => JSON.stringify(`${pinned}:${f}`));
  const usage =
    v.features.length > 0
      ? `train = ml.get_training_set(entity_df, features=[${refs.join(', ')}${
          v.features.length > 3 ? ', ...' : ''
        }])\nml.get_online_features({${JSON.stringify(v.entity[0])}: [...]}, features=[${refs[0]}])`
      : `ml.materialize(${JSON.stringify(v.feature_set)}, source=..., version=${v.version})`;
  return (
    <>
      <section className="mlops-lab-section">
        <h3>Features of v{v.version}</h3>
        {v.schema ? (
          <table className="mlops-lab-kv mlops-lab-feature-schema">
            <tbody>
              {Object.entries(v.schema).map(([column, dtype]) => (
                <tr key={column}>
                  <th>
                    {column}
                    {v.entity.includes(column) && <span className="mlops-lab-chip">entity</span>}
                    {column === v.timestamp && <span className="mlops-lab-chip">event time</span>}
                  </th>
                  <td>{dtype}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mlops-lab-empty">Known once this version is materialised.</p>
        )}
        {v.ttl_ms !== null && (
          <p data-testid="mlops-lab-feature-ttl" title={`${v.ttl_ms.toLocaleString()} ms`}>
            Time to live: {formatExactDuration(v.ttl_ms)}
          </p>
        )}
      </section>
      <section className="mlops-lab-section">
        <h3>Source of v{v.version}</h3>
        <div className="mlops-lab-source-meta">
          <span>{v.module ? `${v.module}.${v.function_name}` : v.function_name}</span>
          <span title="blake3 of the source">{v.source_hash.slice(0, 16)}</span>
        </div>
        <pre className="mlops-lab-code" data-testid="mlops-lab-feature-source">
          {v.source}
        </pre>
      </section>
      <Section title="Use it">
        <pre className="mlops-lab-code">{usage}</pre>
      </Section>
    </>
  );
}
