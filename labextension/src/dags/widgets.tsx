/**
 * Lumino widgets hosting the DAG views: the side-panel tab and a DAG run's main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mlopsIcon } from '../icon';
import { PanelTabWidget } from '../widgets';
import { IDagRunSummary } from './api';
import { DagsPanel } from './DagsPanel';
import { DagView } from './DagView';

export class DagsPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (run: IDagRunSummary) => void) {
    super('mlops-lab-dags-tab', 'DAGs');
  }

  render(): JSX.Element {
    return <DagsPanel visible={this.isVisible} refreshInterval={5} onOpen={this.onOpen} />;
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
    this.addClass('mlops-lab-main');
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
  let widget: MainAreaWidget<DagContent> | null = null;
  const content = new DagContent(dagRunId, onOpenRun, title => {
    if (widget) {
      widget.title.label = `DAG ${title}`;
      widget.title.caption = `DAG run ${title} (${dagRunId})`;
    }
  });
  widget = new MainAreaWidget({ content });
  widget.id = dagWidgetId(dagRunId);
  widget.title.label = `DAG ${name || dagRunId.slice(0, 8)}`;
  widget.title.caption = `DAG run ${name} (${dagRunId})`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
