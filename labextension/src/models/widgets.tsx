/**
 * Lumino widgets hosting the models views: the side-panel tab and a model's main-area tab.
 */
import React from 'react';
import { MainAreaWidget } from '@jupyterlab/apputils';
import {
  mainAreaWidget,
  nameId,
  PanelTabWidget,
  retitle,
  VisibilityAwareWidget
} from '../widgets';
import { IModel } from './api';
import { ModelsPanel } from './ModelsPanel';
import { ModelView } from './ModelView';

export class ModelsPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (model: IModel) => void) {
    super('mlops-lab-models-tab', 'Models');
  }

  /** Loads the list again now: the registry changed here (an alias moved, a version came). */
  refresh(): void {
    this.changes += 1;
    this.update();
  }

  render(): JSX.Element {
    return (
      <ModelsPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        changes={this.changes}
        onOpen={this.onOpen}
      />
    );
  }

  private changes = 0;
}

export interface IModelViewActions {
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
  /** The view changed the registry (an alias moved): other views load again. */
  onChanged: () => void;
  /** The panel's refresh interval (seconds), at which the view's retraining polls. */
  refreshSeconds: () => number;
}

/**
 * The content of a model's tab; `version` selects which version is shown in detail. It polls
 * (its retraining) only while shown.
 */
export class ModelContent extends VisibilityAwareWidget {
  constructor(
    readonly modelName: string,
    private version: number | null,
    private readonly actions: IModelViewActions
  ) {
    super();
  }

  selectVersion(version: number | null): void {
    this.version = version;
    // The tab says which version it shows (the main-area tab follows its content's title).
    retitle(this, modelTabLabel(this.modelName, version));
    this.update();
  }

  render(): JSX.Element {
    return (
      <ModelView
        name={this.modelName}
        version={this.version}
        onSelectVersion={version => this.selectVersion(version)}
        onOpenRun={this.actions.onOpenRun}
        onOpenNotebook={this.actions.onOpenNotebook}
        onChanged={this.actions.onChanged}
        visible={this.isVisible}
        refreshInterval={this.actions.refreshSeconds()}
      />
    );
  }
}

export function modelWidgetId(name: string): string {
  return nameId('mlops-lab-model-', name);
}

/** "Model churn", or "Model churn v3" once a version is chosen. */
export function modelTabLabel(name: string, version: number | null): string {
  return version === null ? `Model ${name}` : `Model ${name} v${version}`;
}

export function createModelWidget(
  name: string,
  version: number | null,
  actions: IModelViewActions
): MainAreaWidget<ModelContent> {
  return mainAreaWidget(new ModelContent(name, version, actions), {
    id: modelWidgetId(name),
    label: modelTabLabel(name, version)
  });
}
