/**
 * Runs opened to show the runs started under them (a sweep's trials, a pipeline run's cells):
 * each open run's children, asked for when it is opened, and the table's rows with those
 * children below their parent, indented by depth (a child may be open too).
 */
import { useCallback, useState } from 'react';
import { IRun, searchRuns } from './api';
import { PANEL_LIST_LIMIT } from '../request';

export interface IRunRowItem {
  run: IRun;
  depth: number;
  /** Unique among the rows: a child may also be a row of its own in the list. */
  key: string;
}

export interface IRunChildren {
  /** The children of each open run (runs being opened are not in it yet). */
  open: ReadonlyMap<string, IRun[]>;
  opening: ReadonlySet<string>;
  /** Why children are missing: a load that failed, or a list cut at the panel's limit. */
  error: string | null;
  toggle: (run: IRun) => void;
}

export function useRunChildren(): IRunChildren {
  const [open, setOpen] = useState<Map<string, IRun[]>>(new Map());
  const [opening, setOpening] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  const toggle = useCallback((run: IRun) => {
    setOpen(current => {
      if (!current.has(run.id)) {
        return current;
      }
      const next = new Map(current);
      next.delete(run.id);
      return next;
    });
    if (open.has(run.id) || opening.has(run.id)) {
      return;
    }
    setOpening(current => new Set(current).add(run.id));
    searchRuns({
      filter: `attributes.parent_run_id = '${run.id}'`,
      orderBy: ['attributes.start_time asc'],
      limit: PANEL_LIST_LIMIT
    })
      .then(
        page => {
          // A list cut at the panel's limit says so rather than passing for all of them.
          setError(
            page.next_page_token
              ? `${run.name} has ${run.child_count ?? 'more'} runs under it; the first ` +
                  `${page.runs.length} are shown. Filter attributes.parent_run_id = '${run.id}' ` +
                  'to page through all of them.'
              : null
          );
          setOpen(current => new Map(current).set(run.id, page.runs));
        },
        reason => setError(`The runs under ${run.name} could not be loaded: ${reason.message}`)
      )
      .finally(() =>
        setOpening(current => {
          const next = new Set(current);
          next.delete(run.id);
          return next;
        })
      );
  }, [open, opening]);

  return { open, opening, error, toggle };
}

/** The table's rows: each run, and below an open run its children (and theirs), indented. */
export function runRows(runs: IRun[], open: ReadonlyMap<string, IRun[]>): IRunRowItem[] {
  const rows: IRunRowItem[] = [];
  const add = (run: IRun, depth: number, path: string) => {
    rows.push({ run, depth, key: path });
    for (const child of open.get(run.id) ?? []) {
      if (!path.split('/').includes(child.id)) {
        add(child, depth + 1, `${path}/${child.id}`);
      }
    }
  };
  runs.forEach(run => add(run, 0, run.id));
  return rows;
}
