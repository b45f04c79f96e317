/**
 * The runs table of the side panel: the checkbox and name, then the columns chosen (see
 * columns.ts). Header clicks sort on the server. The checkbox and
 * name columns stay in view while the table scrolls sideways in a narrow panel. Only the
 * rows in view are in the DOM (spacer rows stand for the others), and scrolling near the
 * end asks for the next page.
 */
import React, { useEffect, useMemo } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { IRun } from './api';
import { fieldRef, ISort } from './fields';
import { columnId, IColumn } from './columns';
import { columnLabel } from './ColumnChooser';
import {
  absoluteTime,
  formatDuration,
  formatNumber,
  relativeTime,
  runDuration
} from '../format';
import { StatusBadge } from '../common/StatusBadge';
import { runRows, useRunChildren } from './useRunChildren';

export interface IRunsTableProps {
  runs: IRun[];
  /** The columns shown after the name, in order. */
  columns: IColumn[];
  sort: ISort | null;
  onSort: (field: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  onOpen: (run: IRun) => void;
  /** Opens the run a child run was started under. */
  onOpenParent: (runId: string) => void;
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

const KIND_WORD = { metrics: 'metric', params: 'param', tags: 'tag', attributes: 'run' };

/** The field a column sorts on (the server's name for it), or null for Duration. */
function sortField(column: IColumn): string | null {
  if (column.kind === 'attributes') {
    return column.key === 'duration' ? null : `attributes.${column.key}`;
  }
  return fieldRef(column.kind, column.key);
}

/** A cell of a run's row for a column: its text, its tooltip, whether it is a number. */
function cell(run: IRun, column: IColumn, now: number): [string, string | undefined, boolean] {
  switch (column.kind) {
    case 'metrics': {
      const value = run.metrics[column.key];
      return [formatNumber(value), value === undefined ? undefined : String(value), true];
    }
    case 'params':
    case 'tags': {
      const value = run[column.kind][column.key];
      return [value ?? '', value, false];
    }
    default:
      if (column.key === 'start_time') {
        return [relativeTime(run.start_time, now), absoluteTime(run.start_time), false];
      }
      return [formatDuration(runDuration(run)), undefined, true];
  }
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
  const { runs, columns, sort, onSort, selected } = props;
  const now = Date.now();
  const children = useRunChildren();
  const items = useMemo(() => runRows(runs, children.open), [runs, children.open]);
  const rows = useVirtualizer({
    count: items.length,
    getScrollElement: () => props.scrollElement.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: index => items[index].key,
    overscan: OVERSCAN
  });
  const shown = rows.getVirtualItems();
  const lastShown = shown.length ? shown[shown.length - 1].index : -1;
  useEffect(() => {
    if (props.canLoadMore && lastShown >= items.length - NEAR_END) {
      props.onLoadMore();
    }
  }, [lastShown, items.length, props.canLoadMore]);
  const before = shown.length ? shown[0].start : 0;
  const after = shown.length ? rows.getTotalSize() - shown[shown.length - 1].end : 0;
  const width = 2 + columns.length;

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
          {columns.map(column => (
            <SortHeader
              key={columnId(column)}
              field={sortField(column)}
              label={columnLabel(column)}
              title={`${KIND_WORD[column.kind]} ${columnLabel(column)}`}
              className={`mlops-lab-col-${column.kind}`}
              sort={sort}
              onSort={onSort}
            />
          ))}
        </tr>
      </thead>
      <tbody>
        {children.error && (
          <tr className="mlops-lab-runs-children-error">
            <td colSpan={width} className="mlops-lab-error-text" role="alert">
              {children.error}
            </td>
          </tr>
        )}
        <Spacer height={before} columns={width} />
        {shown.map(item => {
          const { run, depth } = items[item.index];
          return (
            <RunRow
              key={item.key}
              index={item.index}
              run={run}
              depth={depth}
              open={children.open.has(run.id)}
              opening={children.opening.has(run.id)}
              onOpenChildren={() => children.toggle(run)}
              columns={columns}
              now={now}
              selected={selected.has(run.id)}
              onToggle={props.onToggle}
              onOpen={props.onOpen}
              onOpenParent={props.onOpenParent}
            />
          );
        })}
        <Spacer height={after} columns={width} />
      </tbody>
    </table>
  );
}

function RunRow(props: {
  index: number;
  run: IRun;
  /** 0 for a run of the list; 1 and more for the runs shown under an open run. */
  depth: number;
  open: boolean;
  opening: boolean;
  onOpenChildren: () => void;
  columns: IColumn[];
  now: number;
  selected: boolean;
  onToggle: (runId: string) => void;
  onOpen: (run: IRun) => void;
  onOpenParent: (runId: string) => void;
}): JSX.Element {
  const { run, columns, now } = props;
  const parent = run.parent_run_id;
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
      <td
        className="mlops-lab-col-name mlops-lab-run-name"
        title={run.name}
        style={props.depth ? { paddingLeft: 4 + 14 * props.depth } : undefined}
      >
        {!!run.child_count && (
          <button
            className="mlops-lab-link-button mlops-lab-run-children"
            data-testid="mlops-lab-run-children"
            aria-expanded={props.open}
            disabled={props.opening}
            title={`${props.open ? 'Hide' : 'Show'} the ${run.child_count} runs started under ${run.name}`}
            onClick={event => {
              event.stopPropagation();
              props.onOpenChildren();
            }}
          >
            {props.open ? '▾' : '▸'}
            {run.child_count}
          </button>
        )}
        {parent && !props.depth && (
          <button
            className="mlops-lab-link-button mlops-lab-run-parent"
            data-testid="mlops-lab-run-parent"
            title={`Started under run ${parent}: open that run`}
            aria-label="Open the parent run"
            onClick={event => {
              event.stopPropagation();
              props.onOpenParent(parent);
            }}
          >
            ↳
          </button>
        )}
        {run.name}
        {run.tags['mlops_lab.kind'] === 'pipeline' && <PipelineNote run={run} />}
      </td>
      {columns.map(column => {
        if (column.kind === 'attributes' && column.key === 'status') {
          return (
            <td key="status">
              <StatusBadge status={run.status} />
            </td>
          );
        }
        const [text, title, numeric] = cell(run, column, now);
        return (
          <td
            key={columnId(column)}
            className={numeric ? 'mlops-lab-num' : 'mlops-lab-param'}
            title={title}
          >
            {text}
          </td>
        );
      })}
    </tr>
  );
}

/** After a pipeline run's name (its notebook): that it is one, and the parameters it was given
 * (those it ran with by default are counted; the tooltip lists every one). */
function PipelineNote(props: { run: IRun }): JSX.Element {
  const { run } = props;
  let sources: Record<string, string> = {};
  try {
    sources = JSON.parse(run.tags['mlops_lab.parameter_sources'] ?? '{}');
  } catch {
    sources = {};
  }
  const all = Object.entries(run.params).map(([key, value]) => `${key}=${value}`);
  const given = Object.entries(run.params)
    .filter(([key]) => sources[key] !== 'default')
    .map(([key, value]) => `${key}=${value}`);
  const defaults = all.length - given.length;
  const text = [given.join(' · '), defaults ? `+${defaults} by default` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <span
      className="mlops-lab-run-pipeline"
      data-testid="mlops-lab-run-pipeline"
      title={all.join('\n')}
    >
      <span className="mlops-lab-chip">pipeline</span> {text || 'no parameters'}
    </span>
  );
}
