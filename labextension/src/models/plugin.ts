/**
 * The models part of the JupyterLab extension: the "Models" tab of the side panel, a model's
 * main-area view, "Register model" in every notebook's toolbar, and the links %register
 * puts under a cell.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { listenForModelLinks } from './modelLinks';
import { createRegisterButton, registerFromKernel, TOOLBAR_ITEM } from './registerButton';
import { createModelWidget, ModelContent, ModelsPanelWidget, modelWidgetId } from './widgets';

namespace CommandIDs {
  export const openModel = 'mlops-lab:open-model';
  export const registerModel = 'mlops-lab:register-model';
}

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:models',
  description: 'mlops-lab models: registry tab, model views and the Register model button.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [INotebookTracker, ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    lab: IMlopsLab,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const { commands, shell } = app;
    const tabs = new WidgetTracker<MainAreaWidget<ModelContent>>({ namespace: 'mlops-lab-model' });
    const panel = new ModelsPanelWidget(model =>
      void commands.execute(CommandIDs.openModel, { name: model.name })
    );
    lab.addPanelTab(panel, 30);

    commands.addCommand(CommandIDs.openModel, {
      label: args => `Open Model ${(args.name as string) ?? ''}`,
      execute: args => {
        const name = args.name;
        if (typeof name !== 'string' || !name) {
          throw new Error('open-model needs a model name');
        }
        const version = typeof args.version === 'number' ? args.version : null;
        const widget = openInMainArea(shell, tabs, modelWidgetId(name), () =>
          createModelWidget(name, version, {
            onOpenRun: (runId, runName) => lab.openRun(runId, runName),
            onOpenNotebook: path => lab.openNotebook(path),
            onChanged: () => panel.refresh(),
            refreshSeconds: () => panel.settings.refreshInterval
          })
        );
        if (version !== null) {
          widget.content.selectVersion(version);
        }
      }
    });

    const openVersion = (name: string, version: number) => {
      lab.showPanelTab(panel);
      panel.refresh(); // the new version is listed at once, not at the next tick
      void commands.execute(CommandIDs.openModel, { name, version });
    };
    const links = {
      openVersion,
      openRun: (runId: string, name?: string) => lab.openRun(runId, name)
    };
    listenForModelLinks(shell.node, openVersion);

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openModel,
        args: widget => ({ name: widget.content.modelName }),
        name: widget => widget.id
      });
    }

    if (notebooks) {
      const addButton = (nb: NotebookPanel) => {
        nb.toolbar.insertItem(10, TOOLBAR_ITEM, createRegisterButton(nb, links));
      };
      notebooks.forEach(addButton);
      notebooks.widgetAdded.connect((_, nb) => addButton(nb));
      commands.addCommand(CommandIDs.registerModel, {
        label: 'MLOps Lab: Register model from this notebook',
        isEnabled: () => notebooks.currentWidget !== null,
        execute: () => {
          const current = notebooks.currentWidget;
          if (current) {
            return registerFromKernel(current, links);
          }
        }
      });
      if (palette) {
        palette.addItem({ command: CommandIDs.registerModel, category: 'MLOps Lab' });
      }
    }
  }
};
