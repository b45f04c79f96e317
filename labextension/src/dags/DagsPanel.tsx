/**
 * The "DAGs" tab of the side panel: DAG runs, newest first, with their steps counted by
 * status; selecting one opens its graph in the main area.
 */
import React from 'react';
import { relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { IDagRunSummary, listDagRuns } from './api';
import { PanelList } from '../common/PanelList';
import { StatusBadge } from '../common/StatusBadge';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IDagsPanelProps {
  visible: boolean;
  refreshInterval: number;
  onOpen: (run: IDagRunSummary) => void;
}

export function DagsPanel(props: IDagsPanelProps): JSX.Element {
  const { data: runs, error, reload } = usePolling(listDagRuns, [], props);

  return (
    <div className="mlops-lab-panel-body mlops-lab-dags-panel" data-testid="mlops-lab-dags-panel">
      <div className="mlops-lab-dags-toolbar">
        <span className="mlops-lab-muted">DAG runs</span>
        <button
          className="mlops-lab-link-button"
          title="Load the DAG runs again"
          onClick={reload}
        >
          Refresh
        </button>
      </div>
      <ErrorBanner message={error} />
      <PanelList
        items={runs}
        itemKey={run => run.id}
        listClassName="mlops-lab-dags-list"
        testId="mlops-lab-dags-list"
        emptyTestId="mlops-lab-dags-empty"
        empty={
          error
            ? null
            : 'No DAG runs yet. Run a pipeline file with `mlops-lab dags run pipeline.yaml` or ml.run_dag("pipeline.yaml").'
        }
        renderItem={run => (
          <button
            className="mlops-lab-dag-row"
            data-testid="mlops-lab-dag-row"
            title={`${run.name}\n${run.file}${run.error ? '\n' + run.error : ''}`}
            onClick={() => props.onOpen(run)}
          >
            <span className="mlops-lab-dag-row-name">{run.name}</span>
            <StatusBadge status={run.status} />
            <span className="mlops-lab-dag-row-meta">
              {Object.entries(run.counts)
                .map(([status, n]) => `${n} ${status.toLowerCase()}`)
                .join(' · ')}
              {run.attempt > 1 ? ` · attempt ${run.attempt}` : ''} ·{' '}
              {relativeTime(run.created_at)}
            </span>
          </button>
        )}
      />
    </div>
  );
}
