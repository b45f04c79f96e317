/**
 * Lumino widgets hosting the pipelines views: the side-panel tab and a pipeline run's tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mainAreaWidget, PanelTabWidget, retitle } from '../widgets';
import { IPipelineRun } from './api';
import { PipelinesPanel } from './PipelinesPanel';
import { PipelineRunView } from './PipelineRunView';
import { fileName } from './shared';

export class PipelinesPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (run: IPipelineRun) => void) {
    super('mlops-lab-pipelines-tab', 'Pipelines');
  }

  render(): JSX.Element {
    return (
      <PipelinesPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        onOpen={this.onOpen}
      />
    );
  }
}

export function pipelineRunWidgetId(id: string): string {
  return `mlops-lab-pipeline-run-${id}`;
}

export class PipelineRunContent extends ReactWidget {
  constructor(
    readonly pipelineRunId: string,
    private readonly actions: {
      onOpenNotebook: (path: string) => void;
      onOpenRun: (runId: string) => void;
      onLoaded: (run: IPipelineRun) => void;
    }
  ) {
    super();
  }

  render(): JSX.Element {
    return <PipelineRunView id={this.pipelineRunId} {...this.actions} />;
  }
}

export function createPipelineRunWidget(
  id: string,
  actions: { onOpenNotebook: (path: string) => void; onOpenRun: (runId: string) => void }
): MainAreaWidget<PipelineRunContent> {
  const content = new PipelineRunContent(id, {
    ...actions,
    onLoaded: run => retitle(widget, `Pipeline ${fileName(run.notebook)} ${run.id.slice(0, 6)}`)
  });
  const widget = mainAreaWidget(content, {
    id: pipelineRunWidgetId(id),
    label: `Pipeline run ${id.slice(0, 8)}`,
    caption: `Pipeline run ${id}`
  });
  return widget;
}
