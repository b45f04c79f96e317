/**
 * The "Features" tab of the side panel: a search box (name, feature, description, owner, tag,
 * source snapshot) and the matching feature sets; selecting one opens its view.
 */
import React, { useState } from 'react';
import { absoluteTime, relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { IFeatureSet, searchFeatureSets } from './api';
import { ListCutNote } from '../common/ListCutNote';
import { PanelList } from '../common/PanelList';
import { SearchBox } from '../common/SearchBox';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IFeaturesPanelProps {
  visible: boolean;
  refreshInterval: number;
  onOpen: (featureSet: IFeatureSet) => void;
}

export function FeaturesPanel(props: IFeaturesPanelProps): JSX.Element {
  const [query, setQuery] = useState('');
  // Typing in the search box: one request when it pauses.
  const polled = usePolling(() => searchFeatureSets(query), [query], {
    ...props,
    debounceMs: 150
  });
  const { data: page, error, reload } = polled;
  const sets = page?.items ?? null;

  return (
    <div
      className="mlops-lab-panel-body mlops-lab-features-panel"
      data-testid="mlops-lab-features-panel"
    >
      <SearchBox
        value={query}
        onChange={setQuery}
        onRefresh={reload}
        what="feature sets"
        testId="mlops-lab-features-query"
        help="Every word must appear in the name, a feature, the description, the owner, a tag (key=value) or a source snapshot."
      />
      <ErrorBanner message={error} />
      <PanelList
        items={sets}
        itemKey={item => item.id}
        listClassName="mlops-lab-features-list"
        testId="mlops-lab-features-list"
        emptyTestId="mlops-lab-features-empty"
        empty={
          error
            ? null
            : query
            ? 'No feature set matches these words.'
            : 'No feature sets yet. Define one with @ml.feature_set("name", entity=..., timestamp=...).'
        }
        footer={<ListCutNote page={page} what="feature sets" />}
        renderItem={item => (
          <button
            className="mlops-lab-feature-set-row"
            data-testid="mlops-lab-feature-set-row"
            title={item.description ? `${item.name}\n${item.description}` : item.name}
            onClick={() => props.onOpen(item)}
          >
            <span className="mlops-lab-feature-set-name">{item.name}</span>
            <span className="mlops-lab-feature-set-meta">
              {item.live_version ? `v${item.live_version} live` : 'not materialised'}
              {item.latest_version !== item.live_version ? ` · v${item.latest_version} newest` : ''}
            </span>
            <span className="mlops-lab-feature-set-features">
              {item.features.length} feature{item.features.length === 1 ? '' : 's'} ·{' '}
              {item.entity.join(', ')}
            </span>
            {item.freshness.last_materialized !== null && (
              <span
                className="mlops-lab-feature-set-fresh"
                title={`Materialised ${absoluteTime(item.freshness.last_materialized)}`}
              >
                {relativeTime(item.freshness.last_materialized)}
              </span>
            )}
            <span className="mlops-lab-feature-set-tags">
              {Object.entries(item.tags).map(([key, value]) => (
                <span className="mlops-lab-feature-tag" key={key}>
                  {value ? `${key}=${value}` : key}
                </span>
              ))}
            </span>
          </button>
        )}
      />
    </div>
  );
}
