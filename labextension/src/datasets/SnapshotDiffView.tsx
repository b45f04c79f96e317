/**
 * The diff of two snapshots: row counts, schema changes, statistic shifts and the first rows
 * added, removed and changed.
 */
import React from 'react';
import { formatNumber } from '../format';
import { ISnapshotDiff } from './api';

function cell(value: unknown): string {
  if (value === null || value === undefined) {
    return '∅';
  }
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

function RowsTable(props: { title: string; rows: Record<string, unknown>[] }): JSX.Element | null {
  if (!props.rows.length) {
    return null;
  }
  const header = Object.keys(props.rows[0]);
  return (
    <>
      <h4>{props.title}</h4>
      <div className="mlops-lab-table-scroll">
        <table className="mlops-lab-data-table">
          <thead>
            <tr>
              {header.map(h => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row, i) => (
              <tr key={i}>
                {header.map(h => (
                  <td key={h}>{cell(row[h])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function SnapshotDiffView(props: { diff: ISnapshotDiff }): JSX.Element {
  const d = props.diff;
  if (d.same_content) {
    return (
      <p data-testid="mlops-lab-diff-summary">
        {d.a.ref} and {d.b.ref} hold the same content.
      </p>
    );
  }
  const schema = [
    ...d.columns_added.map(c => ['added', c.name, c.dtype]),
    ...d.columns_removed.map(c => ['removed', c.name, c.dtype]),
    ...d.dtype_changes.map(c => ['dtype', c.name, `${c.a} → ${c.b}`])
  ];
  return (
    <div className="mlops-lab-diff" data-testid="mlops-lab-diff">
      <p className="mlops-lab-diff-summary" data-testid="mlops-lab-diff-summary">
        <b>{d.a.ref}</b> → <b>{d.b.ref}</b>: rows {d.rows.a.toLocaleString()} →{' '}
        {d.rows.b.toLocaleString()} ·{' '}
        <span className="mlops-lab-diff-added">+{d.rows.added.toLocaleString()} added</span> ·{' '}
        <span className="mlops-lab-diff-removed">−{d.rows.removed.toLocaleString()} removed</span>
        {d.rows.changed !== null && (
          <>
            {' '}
            · <span className="mlops-lab-diff-changed">{d.rows.changed.toLocaleString()} changed</span>{' '}
            (key {(d.rows.key ?? []).join(', ')})
          </>
        )}
      </p>
      {schema.length > 0 && (
        <>
          <h4>Schema changes</h4>
          <table className="mlops-lab-data-table" data-testid="mlops-lab-diff-schema">
            <thead>
              <tr>
                <th>change</th>
                <th>column</th>
                <th>dtype</th>
              </tr>
            </thead>
            <tbody>
              {schema.map((row, i) => (
                <tr key={i}>
                  {row.map((value, j) => (
                    <td key={j}>{value}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {d.stats.length > 0 && (
        <>
          <h4>Statistic shifts</h4>
          <div className="mlops-lab-table-scroll">
            <table className="mlops-lab-data-table" data-testid="mlops-lab-diff-stats">
              <thead>
                <tr>
                  <th>column</th>
                  <th>statistic</th>
                  <th>{d.a.ref}</th>
                  <th>{d.b.ref}</th>
                  <th>change</th>
                </tr>
              </thead>
              <tbody>
                {d.stats.map((s, i) => (
                  <tr key={i}>
                    <td>{s.column}</td>
                    <td>{s.stat}</td>
                    <td className="mlops-lab-num">{formatNumber(s.a)}</td>
                    <td className="mlops-lab-num">{formatNumber(s.b)}</td>
                    <td className="mlops-lab-num">
                      {formatNumber(s.change)}
                      {typeof s.relative === 'number' && ` (${(s.relative * 100).toFixed(1)}%)`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <RowsTable title="Rows added (first ones)" rows={d.examples.added} />
      <RowsTable title="Rows removed (first ones)" rows={d.examples.removed} />
      <RowsTable
        title="Rows changed (first ones)"
        rows={d.examples.changed.flatMap(c =>
          Object.entries(c.columns).map(([column, v]) => ({
            key: Object.entries(c.key)
              .map(([k, value]) => `${k}=${cell(value)}`)
              .join(', '),
            column,
            [d.a.ref]: v.a,
            [d.b.ref]: v.b
          }))
        )}
      />
    </div>
  );
}
