/**
 * The "Models" tab of the side panel: a search box and the registered models, newest change
 * first; selecting one opens its view in the main area.
 */
import React, { useState } from 'react';
import { relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { IModel, listModels } from './api';
import { ListCutNote } from '../common/ListCutNote';
import { PanelList } from '../common/PanelList';
import { SearchBox } from '../common/SearchBox';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IModelsPanelProps {
  visible: boolean;
  refreshInterval: number;
  /** Goes up when the registry changed here: the list loads again at once. */
  changes: number;
  onOpen: (model: IModel) => void;
}

export function ModelsPanel(props: IModelsPanelProps): JSX.Element {
  const [query, setQuery] = useState('');
  // Typing in the search box: one request when it pauses.
  const polled = usePolling(() => listModels(query), [query, props.changes], {
    ...props,
    debounceMs: 150
  });
  const { data: page, error, reload } = polled;
  const models = page?.items ?? null;

  return (
    <div className="mlops-lab-panel-body mlops-lab-models-panel" data-testid="mlops-lab-models-panel">
      <SearchBox
        value={query}
        onChange={setQuery}
        onRefresh={reload}
        what="models"
        testId="mlops-lab-models-query"
      />
      <ErrorBanner message={error} />
      <PanelList
        items={models}
        itemKey={model => model.name}
        listClassName="mlops-lab-models-list"
        testId="mlops-lab-models-list"
        emptyTestId="mlops-lab-models-empty"
        empty={
          error
            ? null
            : query
            ? 'No model name contains this text.'
            : 'No models yet. Use "Register model" in a notebook toolbar, %register, or ml.register_model().'
        }
        footer={<ListCutNote page={page} what="models" />}
        renderItem={model => (
          <button
            className="mlops-lab-model-row"
            data-testid="mlops-lab-model-row"
            title={model.description ? `${model.name}\n${model.description}` : model.name}
            onClick={() => props.onOpen(model)}
          >
            <span className="mlops-lab-model-name">{model.name}</span>
            <span className="mlops-lab-model-meta">
              v{model.latest_version} · {relativeTime(model.updated_at)}
            </span>
            <span className="mlops-lab-model-aliases">
              {Object.entries(model.aliases).map(([alias, version]) => (
                <span className="mlops-lab-alias-chip" key={alias}>
                  @{alias}→{version}
                </span>
              ))}
            </span>
          </button>
        )}
      />
    </div>
  );
}
