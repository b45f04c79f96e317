/**
 * Lumino widgets hosting the DAG views: the side-panel tab and a DAG run's main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mainAreaWidget, PanelTabWidget, retitle } from '../widgets';
import { IDagRunSummary } from './api';
import { DagsPanel } from './DagsPanel';
import { DagView } from './DagView';

export class DagsPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (run: IDagRunSummary) => void) {
    super('mlops-lab-dags-tab', 'DAGs');
  }

  render(): JSX.Element {
    return (
      <DagsPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        onOpen={this.onOpen}
      />
    );
  }
}

/** The content of a DAG run's tab. */
export class DagContent extends ReactWidget {
  constructor(
    readonly dagRunId: string,
    private readonly onOpenRun: (runId: string, name?: string) => void,
    private readonly onTitle: (name: string) => void
  ) {
    super();
  }

  render(): JSX.Element {
    return (
      <DagView
        dagRunId={this.dagRunId}
        onOpenRun={this.onOpenRun}
        onLoaded={run => this.onTitle(run.name)}
      />
    );
  }
}

export function dagWidgetId(dagRunId: string): string {
  return `mlops-lab-dag-${dagRunId}`;
}

export function createDagWidget(
  dagRunId: string,
  name: string,
  onOpenRun: (runId: string, name?: string) => void
): MainAreaWidget<DagContent> {
  const content = new DagContent(dagRunId, onOpenRun, title =>
    retitle(widget, `DAG ${title}`, `DAG run ${title} (${dagRunId})`)
  );
  const widget = mainAreaWidget(content, {
    id: dagWidgetId(dagRunId),
    label: `DAG ${name || dagRunId.slice(0, 8)}`,
    caption: `DAG run ${name} (${dagRunId})`
  });
  return widget;
}
