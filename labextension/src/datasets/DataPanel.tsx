/**
 * The "Data" tab of the side panel: a search box, the datasets (most recently changed first)
 * and, under the one selected, its snapshots; selecting one opens its view.
 */
import React, { useState } from 'react';
import { relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { getDataset, ISnapshotSummary, listDatasets } from './api';
import { ListCutNote } from '../common/ListCutNote';
import { PanelList } from '../common/PanelList';
import { SearchBox } from '../common/SearchBox';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IDataPanelProps {
  visible: boolean;
  refreshInterval: number;
  onOpen: (snapshot: ISnapshotSummary) => void;
}

function Validity(props: { valid: boolean | null }): JSX.Element | null {
  if (props.valid === null) {
    return null;
  }
  return (
    <span className={`mlops-lab-data-validity ${props.valid ? 'is-valid' : 'is-invalid'}`}>
      {props.valid ? 'valid' : 'invalid'}
    </span>
  );
}

export function DataPanel(props: IDataPanelProps): JSX.Element {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  // Typing in the search box: one request when it pauses.
  const list = usePolling(() => listDatasets(query), [query], { ...props, debounceMs: 150 });
  const chosen = usePolling(
    () => (selected === null ? Promise.resolve(null) : getDataset(selected)),
    [selected],
    props
  );
  const datasets = list.data?.items ?? null;
  const detail = chosen.data;
  const error = list.error ?? chosen.error;
  const reload = () => {
    list.reload();
    chosen.reload();
  };

  return (
    <div className="mlops-lab-panel-body mlops-lab-data-panel" data-testid="mlops-lab-data-panel">
      <SearchBox
        value={query}
        onChange={setQuery}
        onRefresh={reload}
        what="datasets"
        testId="mlops-lab-data-query"
      />
      <ErrorBanner message={error} />
      <PanelList
        items={datasets}
        itemKey={dataset => dataset.id}
        listClassName="mlops-lab-data-list"
        testId="mlops-lab-data-list"
        emptyTestId="mlops-lab-data-empty"
        empty={
          error
            ? null
            : query
            ? 'No dataset name contains this text.'
            : 'No datasets yet. Take a snapshot with ml.snapshot(df, "name") or %snapshot df.'
        }
        footer={<ListCutNote page={list.data} what="datasets" />}
        renderItem={dataset => (
          <>
            <button
              className={`mlops-lab-data-row ${selected === dataset.id ? 'is-selected' : ''}`}
              data-testid="mlops-lab-data-row"
              aria-expanded={selected === dataset.id}
              title={dataset.name}
              onClick={() => setSelected(selected === dataset.id ? null : dataset.id)}
            >
              <span className="mlops-lab-data-name">{dataset.name}</span>
              <span className="mlops-lab-data-meta">
                {dataset.latest_version !== null ? `v${dataset.latest_version}` : 'no snapshots'}
                {dataset.latest_row_count !== null &&
                  ` · ${dataset.latest_row_count.toLocaleString()} rows`}
                {` · ${relativeTime(dataset.updated_at)}`}
                {dataset.has_rules && ' · rules'}
              </span>
              {dataset.latest_valid === false && (
                <span
                  className="mlops-lab-data-validity is-invalid"
                  data-testid="mlops-lab-data-latest-invalid"
                  title={`The newest snapshot (v${dataset.latest_version}) failed the dataset's rules`}
                >
                  latest invalid
                </span>
              )}
            </button>
            {selected === dataset.id && detail && detail.id === dataset.id && (
              <ul className="mlops-lab-data-versions" data-testid="mlops-lab-data-versions">
                {detail.snapshots.length === 0 && (
                  <li className="mlops-lab-empty">No snapshots yet.</li>
                )}
                {detail.snapshots.map(version => (
                  <li key={version.id}>
                    <button
                      className="mlops-lab-data-version"
                      data-testid="mlops-lab-data-version"
                      title={`Open ${version.ref}`}
                      onClick={() => props.onOpen(version)}
                    >
                      <span className="mlops-lab-data-version-number">v{version.version}</span>
                      <span className="mlops-lab-data-meta">
                        {version.row_count.toLocaleString()} rows × {version.column_count} ·{' '}
                        <code>{version.content_hash.slice(0, 8)}</code> ·{' '}
                        {relativeTime(version.created_at)}
                      </span>
                      <Validity valid={version.valid} />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      />
    </div>
  );
}
