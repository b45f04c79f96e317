/**
 * Top of the side panel: which store is open, the experiment picker, refresh.
 */
import React from 'react';
import { refreshIcon } from '@jupyterlab/ui-components';
import { IExperiment, IStoreInfo } from './api';
import { shortenLocation } from '../format';

export interface IPanelHeaderProps {
  store: IStoreInfo | null;
  experiments: IExperiment[];
  experiment: string;
  onExperiment: (id: string) => void;
  onRefresh: () => void;
  loading: boolean;
}

export function PanelHeader(props: IPanelHeaderProps): JSX.Element {
  const { store } = props;
  return (
    <div className="mlops-lab-header">
      {store && (
        <dl className="mlops-lab-store" data-testid="mlops-lab-store">
          <dt>Store</dt>
          <dd title={store.database}>{shortenLocation(store.database)}</dd>
          <dt>Artifacts</dt>
          <dd title={store.artifacts}>{shortenLocation(store.artifacts)}</dd>
        </dl>
      )}
      <div className="mlops-lab-header-row">
        <select
          className="mlops-lab-experiment jp-mod-styled"
          aria-label="Experiment"
          data-testid="mlops-lab-experiment"
          value={props.experiment}
          onChange={event => props.onExperiment(event.target.value)}
        >
          <option value="">All experiments</option>
          {props.experiments.map(experiment => (
            <option key={experiment.id} value={String(experiment.id)}>
              {experiment.name} ({experiment.run_count})
            </option>
          ))}
        </select>
        <button
          className="mlops-lab-icon-button"
          title="Refresh"
          aria-label="Refresh"
          data-testid="mlops-lab-refresh"
          onClick={props.onRefresh}
        >
          <refreshIcon.react
            tag="span"
            className={props.loading ? 'mlops-lab-spin' : ''}
          />
        </button>
      </div>
    </div>
  );
}
