/**
 * Lumino widgets hosting the models views: the side-panel tab and a model's main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mlopsIcon } from '../icon';
import { PanelTabWidget } from '../widgets';
import { IModel } from './api';
import { ModelsPanel } from './ModelsPanel';
import { ModelView } from './ModelView';

export class ModelsPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (model: IModel) => void) {
    super('mlops-lab-models-tab', 'Models');
  }

  render(): JSX.Element {
    return <ModelsPanel visible={this.isVisible} refreshInterval={10} onOpen={this.onOpen} />;
  }
}

export interface IModelViewActions {
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
}

/** The content of a model's tab; `version` selects which version is shown in detail. */
export class ModelContent extends ReactWidget {
  constructor(
    readonly modelName: string,
    private version: number | null,
    private readonly actions: IModelViewActions
  ) {
    super();
    this.addClass('mlops-lab-main');
  }

  selectVersion(version: number | null): void {
    this.version = version;
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
      />
    );
  }
}

/** A DOM-safe id for a model's tab, whatever characters its name has. */
export function modelWidgetId(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return 'mlops-lab-model-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export function createModelWidget(
  name: string,
  version: number | null,
  actions: IModelViewActions
): MainAreaWidget<ModelContent> {
  const content = new ModelContent(name, version, actions);
  const widget = new MainAreaWidget({ content });
  widget.id = modelWidgetId(name);
  widget.title.label = `Model ${name}`;
  widget.title.caption = `Model ${name}`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
