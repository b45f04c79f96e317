/**
 * The side panel's content: header, filter, the compare bar with how many runs match, and
 * the runs table (which loads further pages as it scrolls).
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';
import {
  getRun,
  getStore,
  IExperiment,
  IRun,
  IRunFields,
  IStoreInfo,
  listExperiments,
  runFields
} from './api';
import { ISort } from './fields';
import { useRunList } from './useRunList';
import { FilterBox, IFilterError } from './FilterBox';
import { ApiError } from '../request';
import { PanelHeader } from './PanelHeader';
import { RunsTable } from './RunsTable';
import { ColumnChooser } from './ColumnChooser';
import {
  allKeys,
  ColumnChoices,
  columnGroups,
  isShown,
  loadChoices,
  saveChoices
} from './columns';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IRunsPanelProps {
  visible: boolean;
  refreshInterval: number;
  defaultExperiment: string;
  onOpenRun: (run: IRun) => void;
  onCompare: (runs: IRun[]) => void;
}

/** The experiment id named by the setting (a name or an id), or '' for all. */
function experimentFromSetting(setting: string, experiments: IExperiment[]): string {
  const wanted = setting.trim();
  if (!wanted) {
    return '';
  }
  const found = experiments.find(e => e.name === wanted || String(e.id) === wanted);
  return found ? String(found.id) : '';
}

/** What the filter box shows of a filter the server refused (status 400). */
function filterError(error: ApiError | null): IFilterError | null {
  if (error?.status !== 400) {
    return null;
  }
  const { column, length, suggestion } = error.body;
  return {
    message: error.message,
    column: typeof column === 'number' ? column : undefined,
    length: typeof length === 'number' ? length : undefined,
    suggestion: typeof suggestion === 'string' ? suggestion : undefined
  };
}

/** "1,234 runs"; before the count is known, the loaded runs and a + when there are more. */
function countText(total: number | null, loaded: number, more: boolean): string {
  const count = total ?? loaded;
  const runs = `${count.toLocaleString()} ${count === 1 ? 'run' : 'runs'}`;
  return total === null && more ? `${runs}+` : runs;
}

/** Sorting a new column starts descending for metrics (best first), ascending otherwise. */
function nextSort(current: ISort | null, field: string): ISort {
  if (current?.field === field) {
    return { field, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  const descFirst = field.startsWith('metrics.') || field === 'attributes.start_time';
  return { field, direction: descFirst ? 'desc' : 'asc' };
}

export function RunsPanel(props: IRunsPanelProps): JSX.Element {
  const [store, setStore] = useState<IStoreInfo | null>(null);
  const [experiments, setExperiments] = useState<IExperiment[]>([]);
  const [experiment, setExperiment] = useState<string>('');
  const [experimentChosen, setExperimentChosen] = useState(false);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<ISort | null>(null);
  const [selected, setSelected] = useState<Map<string, IRun>>(new Map());
  const [fields, setFields] = useState<IRunFields | null>(null);
  const loadFields = () => runFields(experiment).then(setFields, () => undefined);
  const [choices, setChoices] = useState<ColumnChoices>({});
  const scroll = useRef<HTMLDivElement>(null);

  const query = useMemo(() => ({ experiment, filter, sort }), [experiment, filter, sort]);
  const list = useRunList(query, props.refreshInterval, props.visible);
  // Another query's runs start at the top, not where the last one was scrolled to.
  useEffect(() => {
    scroll.current?.scrollTo(0, 0);
  }, [query]);

  // Store and experiments are refreshed along with the runs (run counts change).
  useEffect(() => {
    getStore().then(setStore, () => setStore(null));
    listExperiments().then(setExperiments, () => undefined);
  }, [list.updatedAt]);

  // Another experiment: its own keys, and no selection of runs no longer listed.
  useEffect(() => {
    setSelected(new Map());
    setChoices(loadChoices(experiment));
    void loadFields();
  }, [experiment]);
  const groups = useMemo(() => columnGroups(allKeys(fields, list.runs)), [fields, list.runs]);
  const columns = useMemo(
    () => groups.flatMap(group => group.columns).filter(column => isShown(column, choices)),
    [groups, choices]
  );

  useEffect(() => {
    if (!experimentChosen && experiments.length) {
      setExperiment(experimentFromSetting(props.defaultExperiment, experiments));
    }
  }, [props.defaultExperiment, experiments, experimentChosen]);

  const toggle = (runId: string) =>
    setSelected(current => {
      const next = new Map(current);
      if (next.has(runId)) {
        next.delete(runId);
      } else {
        const run = list.runs.find(r => r.id === runId);
        if (run) {
          next.set(runId, run);
        }
      }
      return next;
    });

  const otherError = list.error && list.error.status !== 400 ? list.error.message : null;

  return (
    <div className="mlops-lab-panel-body" data-testid="mlops-lab-panel">
      <PanelHeader
        store={store}
        experiments={experiments}
        experiment={experiment}
        onExperiment={id => {
          setExperimentChosen(true);
          setExperiment(id);
        }}
        onRefresh={list.refresh}
        loading={list.loading}
      />
      <FilterBox
        filter={filter}
        error={filterError(list.error)}
        fields={fields}
        runs={list.runs}
        experiment={experiment}
        onApply={setFilter}
        onFocus={loadFields}
      />
      <div className="mlops-lab-actions">
        <button
          className="jp-mod-styled jp-mod-accept mlops-lab-compare-button"
          data-testid="mlops-lab-compare"
          disabled={selected.size < 2}
          title="Select two or more runs with their checkboxes"
          onClick={() => props.onCompare([...selected.values()])}
        >
          Compare{selected.size ? ` (${selected.size})` : ''}
        </button>
        <ColumnChooser
          groups={groups}
          choices={choices}
          onChange={next => {
            setChoices(next);
            saveChoices(experiment, next);
          }}
        />
        {selected.size > 0 && (
          <button className="mlops-lab-link-button" onClick={() => setSelected(new Map())} title="Clear the selection">
            Clear
          </button>
        )}
        <span className="mlops-lab-count" data-testid="mlops-lab-count">
          {!list.error && countText(list.total, list.runs.length, !!list.nextPageToken)}
        </span>
      </div>
      <ErrorBanner message={otherError} />
      <div className="mlops-lab-table-scroll" ref={scroll}>
        {list.runs.length > 0 ? (
          <RunsTable
            runs={list.runs}
            columns={columns}
            sort={sort}
            onSort={field => setSort(current => nextSort(current, field))}
            selected={new Set(selected.keys())}
            onToggle={toggle}
            onOpen={props.onOpenRun}
            onOpenParent={runId => getRun(runId).then(props.onOpenRun, () => undefined)}
            scrollElement={scroll}
            canLoadMore={!!list.nextPageToken && !list.loading}
            onLoadMore={list.loadMore}
          />
        ) : (
          !list.loading &&
          !list.error && (
            <p className="mlops-lab-empty" data-testid="mlops-lab-empty">
              {filter
                ? 'No run matches this filter.'
                : 'No runs yet. Add %%track to a notebook cell, or call mlops_lab.start_run().'}
            </p>
          )
        )}
      </div>
    </div>
  );
}
