/**
 * The runs table of the side panel: fixed columns, then one column per metric and
 * param key seen on the loaded pages. Header clicks sort on the server. The checkbox and
 * name columns stay in view while the table scrolls sideways in a narrow panel. Only the
 * rows in view are in the DOM (spacer rows stand for the others), and scrolling near the
 * end asks for the next page.
 */
import React, { useEffect, useMemo } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
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
  /** The scrolling box the table is in. */
  scrollElement: React.RefObject<HTMLElement>;
  /** Whether the server has more runs and none are being asked for now. */
  canLoadMore: boolean;
  /** Called when the rows in view come near the last loaded run and more can be loaded. */
  onLoadMore: () => void;
}

// Every row is this tall (see .mlops-lab-run-row), so none needs measuring as it shows.
const ROW_HEIGHT = 25;
const OVERSCAN = 8;
// How many rows before the last loaded one the next page is asked for.
const NEAR_END = 5;

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

/** A row standing for the rows out of view, so the scroll bar is the whole list's. */
function Spacer(props: { height: number; columns: number }): JSX.Element | null {
  if (props.height <= 0) {
    return null;
  }
  return (
    <tr aria-hidden="true" className="mlops-lab-spacer">
      <td colSpan={props.columns} style={{ height: props.height }} />
    </tr>
  );
}

export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, sort, onSort, selected } = props;
  const { metrics, params } = useMemo(() => columnKeys(runs), [runs]);
  const now = Date.now();
  const rows = useVirtualizer({
    count: runs.length,
    getScrollElement: () => props.scrollElement.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: index => runs[index].id,
    overscan: OVERSCAN
  });
  const shown = rows.getVirtualItems();
  const lastShown = shown.length ? shown[shown.length - 1].index : -1;
  useEffect(() => {
    if (props.canLoadMore && lastShown >= runs.length - NEAR_END) {
      props.onLoadMore();
    }
  }, [lastShown, runs.length, props.canLoadMore]);
  const before = shown.length ? shown[0].start : 0;
  const after = shown.length ? rows.getTotalSize() - shown[shown.length - 1].end : 0;
  const columns = 5 + metrics.length + params.length;

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
        <Spacer height={before} columns={columns} />
        {shown.map(item => (
          <RunRow
            key={item.key}
            index={item.index}
            run={runs[item.index]}
            metrics={metrics}
            params={params}
            now={now}
            selected={selected.has(runs[item.index].id)}
            onToggle={props.onToggle}
            onOpen={props.onOpen}
          />
        ))}
        <Spacer height={after} columns={columns} />
      </tbody>
    </table>
  );
}

function RunRow(props: {
  index: number;
  run: IRun;
  metrics: string[];
  params: string[];
  now: number;
  selected: boolean;
  onToggle: (runId: string) => void;
  onOpen: (run: IRun) => void;
}): JSX.Element {
  const { run, metrics, params, now } = props;
  return (
    <tr
      data-index={props.index}
      className={`mlops-lab-run-row ${props.selected ? 'jp-mod-selected' : ''}`}
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
          checked={props.selected}
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
  );
}
