/**
 * A snapshot in the main area: facts, validation result, a profile table and charts per
 * column, a diff against another version of the dataset, and the runs that read or made it.
 */
import React, { useState } from 'react';
import { ApiError } from '../request';
import { absoluteTime, formatBytes, relativeTime, formatNumber } from '../format';
import {
  diffSnapshots,
  getDataset,
  getLineage,
  getSnapshot,
  IDatasetDetail,
  ILineageRun,
  ISnapshot,
  ISnapshotDiff
} from './api';
import { ProfileCharts } from './ProfileCharts';
import { SnapshotDiffView } from './SnapshotDiffView';
import { Section } from '../common/Section';
import { ViewStatus } from '../common/ViewStatus';
import { ON_DEMAND, usePolling } from '../usePolling';
import { ErrorBanner } from '../common/ErrorBanner';

export interface ISnapshotViewProps {
  snapshotId: string;
  onOpenRun: (runId: string, name?: string) => void;
  onLoaded?: (snapshot: ISnapshot) => void;
}


function percent(value: number | string): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : String(value);
}

function DiffPanel(props: { snapshot: ISnapshot; dataset: IDatasetDetail | null }): JSX.Element {
  const others = (props.dataset?.snapshots ?? []).filter(v => v.id !== props.snapshot.id);
  const previous = others.find(v => v.version < props.snapshot.version) ?? others[0];
  const [other, setOther] = useState<string>('');
  const [key, setKey] = useState('');
  const [diff, setDiff] = useState<ISnapshotDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = other || previous?.id || '';

  if (!others.length) {
    return <p className="mlops-lab-muted">This dataset has no other version to compare with.</p>;
  }
  const compare = () => {
    const base = others.find(v => v.id === chosen);
    if (!base) {
      return;
    }
    // Older version first, so "added" means added in the newer one.
    const [a, b] =
      base.version < props.snapshot.version ? [base.id, props.snapshot.id] : [props.snapshot.id, base.id];
    setBusy(true);
    diffSnapshots(a, b, key ? [key] : []).then(
      found => {
        setDiff(found);
        setError(null);
        setBusy(false);
      },
      (reason: ApiError) => {
        setError(reason.message);
        setBusy(false);
      }
    );
  };
  return (
    <div>
      <div className="mlops-lab-diff-form">
        <label>
          Compare with{' '}
          <select
            className="jp-mod-styled"
            data-testid="mlops-lab-diff-other"
            value={chosen}
            onChange={event => setOther(event.target.value)}
          >
            {others.map(v => (
              <option key={v.id} value={v.id}>
                v{v.version} ({v.row_count.toLocaleString()} rows)
              </option>
            ))}
          </select>
        </label>
        <label>
          key{' '}
          <select
            className="jp-mod-styled"
            data-testid="mlops-lab-diff-key"
            value={key}
            onChange={event => setKey(event.target.value)}
          >
            <option value="">(whole rows)</option>
            {props.snapshot.schema.map(c => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-mod-styled jp-mod-accept mlops-lab-button"
          data-testid="mlops-lab-diff-run"
          disabled={busy}
          onClick={compare}
        >
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </div>
      <ErrorBanner message={error} />
      {diff && <SnapshotDiffView diff={diff} />}
    </div>
  );
}

export function SnapshotView(props: ISnapshotViewProps): JSX.Element {
  const polled = usePolling(
    async () => {
      const [found, lineage] = await Promise.all([
        getSnapshot(props.snapshotId),
        getLineage(props.snapshotId).catch(() => [] as ILineageRun[])
      ]);
      props.onLoaded?.(found);
      const dataset = await getDataset(found.dataset_id).catch(() => null);
      return { snapshot: found, dataset, lineage };
    },
    [props.snapshotId],
    ON_DEMAND
  );
  const { error, reload: load } = polled;
  const { snapshot, dataset, lineage } = polled.data ?? {
    snapshot: null,
    dataset: null,
    lineage: null
  };

  if (!snapshot) {
    return <ViewStatus error={error} what="snapshot" />;
  }
  const columns = snapshot.profile.columns ?? {};
  const order = snapshot.schema.map(c => c.name);
  const sampled = Object.values(columns).some(c => c.sampled);
  return (
    <div className="mlops-lab-view mlops-lab-snapshot-view" data-testid="mlops-lab-snapshot-view">
      <header className="mlops-lab-view-header">
        <h2 title={snapshot.ref}>{snapshot.ref}</h2>
        {snapshot.valid !== null && (
          <span
            className={`mlops-lab-data-validity ${snapshot.valid ? 'is-valid' : 'is-invalid'}`}
            data-testid="mlops-lab-snapshot-validity"
          >
            {snapshot.valid ? 'valid' : 'invalid'}
          </span>
        )}
        <button className="mlops-lab-link-button" onClick={load} title="Load the snapshot again">
          Reload
        </button>
      </header>
      <dl className="mlops-lab-facts">
        <dt>Rows</dt>
        <dd>{snapshot.row_count.toLocaleString()}</dd>
        <dt>Columns</dt>
        <dd>{snapshot.column_count}</dd>
        <dt>Content hash</dt>
        <dd>
          <code title={snapshot.content_hash}>{snapshot.content_hash.slice(0, 16)}</code>
        </dd>
        <dt>Parquet size</dt>
        <dd>{formatBytes(snapshot.size)}</dd>
        <dt>Created</dt>
        <dd title={absoluteTime(snapshot.created_at)}>{relativeTime(snapshot.created_at)}</dd>
        <dt>Snapshot id</dt>
        <dd>
          <code>{snapshot.id}</code>
        </dd>
      </dl>
      {snapshot.validation && (
        <Section title="Validation" testId="mlops-lab-snapshot-validation">
          {snapshot.validation.passed ? (
            <p>All {snapshot.validation.checked} checks passed.</p>
          ) : (
            <>
              <p>
                {snapshot.validation.failed} of {snapshot.validation.checked} checks failed (rules
                say on_fail={snapshot.validation.on_fail}):
              </p>
              <ul className="mlops-lab-validation-failures">
                {snapshot.validation.failures.map((f, i) => (
                  <li key={i}>
                    {f.message}
                    {f.examples && f.examples.length > 0 && (
                      <span className="mlops-lab-muted">
                        {' '}
                        (e.g. {f.examples.map(e => String(e)).join(', ')})
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>
      )}
      <Section title="Profile" testId="mlops-lab-snapshot-profile">
        <div className="mlops-lab-table-scroll">
          <table className="mlops-lab-data-table" data-testid="mlops-lab-profile-table">
            <thead>
              <tr>
                <th>column</th>
                <th>dtype</th>
                <th>nulls</th>
                <th>distinct</th>
                <th>min</th>
                <th>max</th>
                <th>mean</th>
                <th>std</th>
              </tr>
            </thead>
            <tbody>
              {order.map(name => {
                const c = columns[name];
                return (
                  <tr key={name}>
                    <td>{name}</td>
                    <td>
                      <code>{c?.dtype}</code>
                    </td>
                    <td className="mlops-lab-num">{c ? percent(c.null_share) : ''}</td>
                    <td className="mlops-lab-num">
                      {formatNumber(c?.distinct)}
                      {c?.sampled ? '~' : ''}
                    </td>
                    <td className="mlops-lab-num">{formatNumber(c?.min)}</td>
                    <td className="mlops-lab-num">{formatNumber(c?.max)}</td>
                    <td className="mlops-lab-num">{formatNumber(c?.mean)}</td>
                    <td className="mlops-lab-num">{formatNumber(c?.std)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {sampled && (
          <p className="mlops-lab-muted">
            ~ distinct counts and top values from a sample of{' '}
            {(snapshot.profile.sample_rows ?? 0).toLocaleString()} rows.
          </p>
        )}
        <ProfileCharts columns={columns} order={order} />
      </Section>
      <Section title="Diff" testId="mlops-lab-snapshot-diff">
        <DiffPanel snapshot={snapshot} dataset={dataset} />
      </Section>
      <Section title="Runs" testId="mlops-lab-snapshot-lineage">
        {lineage === null ? (
          <p className="mlops-lab-muted">Loading…</p>
        ) : lineage.length === 0 ? (
          <p className="mlops-lab-muted">No run has read or made this snapshot.</p>
        ) : (
          <ul className="mlops-lab-lineage-list">
            {lineage.map(run => (
              <li key={`${run.run_id}-${run.direction}`}>
                <span className={`mlops-lab-link-direction is-${run.direction}`}>
                  {run.direction === 'input' ? 'read by' : 'made by'}
                </span>{' '}
                <button
                  className="mlops-lab-link-button"
                  data-testid="mlops-lab-lineage-run"
                  onClick={() => props.onOpenRun(run.run_id, run.name)}
                >
                  {run.name}
                </button>{' '}
                <span className="mlops-lab-muted">
                  {run.status} · {relativeTime(run.start_time)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
