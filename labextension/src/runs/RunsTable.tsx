/**
 * The runs table of the side panel: fixed columns, then one column per metric and
 * param key seen on the page. Header clicks sort on the server. The checkbox and
 * name columns stay in view while the table scrolls sideways in a narrow panel.
 */
import React from 'react';
import { IRun } from './api';
import { fieldRef, ISort } from './fields';
import {
  absoluteTime,
  formatDuration,
  formatNumber,
  relativeTime,
  runDuration
} from '../format';
import { StatusBadge } from '../common/StatusBadge';

export interface IRunsTableProps {
  runs: IRun[];
  sort: ISort | null;
  onSort: (field: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  onOpen: (run: IRun) => void;
}

/** Metric keys then param keys, in order of first appearance. */
function columnKeys(runs: IRun[]): { metrics: string[]; params: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const run of runs) {
    Object.keys(run.metrics ?? {}).forEach(key => metrics.add(key));
    Object.keys(run.params ?? {}).forEach(key => params.add(key));
  }
  return { metrics: [...metrics], params: [...params] };
}

function SortHeader(props: {
  field: string | null;
  label: string;
  title?: string;
  className?: string;
  sort: ISort | null;
  onSort: (field: string) => void;
}): JSX.Element {
  const { field, sort } = props;
  const active = field !== null && sort?.field === field;
  const arrow = active ? (sort?.direction === 'asc' ? ' ▲' : ' ▼') : '';
  return (
    <th
      className={`${props.className ?? ''} ${field ? 'mlops-lab-sortable' : ''}`}
      title={props.title ?? props.label}
      aria-sort={active ? (sort?.direction === 'asc' ? 'ascending' : 'descending') : undefined}
      onClick={field ? () => props.onSort(field) : undefined}
    >
      {props.label}
      {arrow && <span className="mlops-lab-sort-arrow">{arrow}</span>}
    </th>
  );
}

export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, sort, onSort, selected } = props;
  const { metrics, params } = columnKeys(runs);
  const now = Date.now();

  return (
    <table className="mlops-lab-runs-table" data-testid="mlops-lab-runs-table">
      <thead>
        <tr>
          <th className="mlops-lab-col-check" aria-label="Select for compare" />
          <SortHeader
            field="attributes.name"
            label="Name"
            className="mlops-lab-col-name"
            sort={sort}
            onSort={onSort}
          />
          <SortHeader field="attributes.status" label="Status" sort={sort} onSort={onSort} />
          <SortHeader
            field="attributes.start_time"
            label="Started"
            sort={sort}
            onSort={onSort}
          />
          <SortHeader field={null} label="Duration" sort={sort} onSort={onSort} />
          {metrics.map(key => (
            <SortHeader
              key={`m:${key}`}
              field={fieldRef('metrics', key)}
              label={key}
              title={`metric ${key}`}
              className="mlops-lab-col-metric"
              sort={sort}
              onSort={onSort}
            />
          ))}
          {params.map(key => (
            <SortHeader
              key={`p:${key}`}
              field={fieldRef('params', key)}
              label={key}
              title={`param ${key}`}
              className="mlops-lab-col-param"
              sort={sort}
              onSort={onSort}
            />
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map(run => (
          <tr
            key={run.id}
            className={`mlops-lab-run-row ${selected.has(run.id) ? 'jp-mod-selected' : ''}`}
            data-testid="mlops-lab-run-row"
            data-run-id={run.id}
            tabIndex={0}
            onClick={() => props.onOpen(run)}
            onKeyDown={event => {
              if (event.key === 'Enter') {
                props.onOpen(run);
              }
            }}
          >
            <td className="mlops-lab-col-check" onClick={event => event.stopPropagation()}>
              <input
                type="checkbox"
                aria-label={`Select ${run.name} for compare`}
                data-testid="mlops-lab-run-select"
                checked={selected.has(run.id)}
                onChange={() => props.onToggle(run.id)}
              />
            </td>
            <td className="mlops-lab-col-name mlops-lab-run-name" title={run.name}>
              {run.name}
            </td>
            <td>
              <StatusBadge status={run.status} />
            </td>
            <td title={absoluteTime(run.start_time)}>{relativeTime(run.start_time, now)}</td>
            <td className="mlops-lab-num">{formatDuration(runDuration(run))}</td>
            {metrics.map(key => (
              <td
                key={`m:${key}`}
                className="mlops-lab-num"
                title={key in run.metrics ? String(run.metrics[key]) : undefined}
              >
                {formatNumber(run.metrics[key])}
              </td>
            ))}
            {params.map(key => (
              <td key={`p:${key}`} className="mlops-lab-param" title={run.params[key]}>
                {run.params[key] ?? ''}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
