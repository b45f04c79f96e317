/**
 * The pipelines part of the JupyterLab extension: the "Pipelines" tab of the side panel, a
 * pipeline run's main-area view, and "Run as pipeline" in every notebook's toolbar and on
 * notebooks in the file browser's context menu.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  ToolbarButton,
  WidgetTracker
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { runAsPipeline } from './runAsPipeline';
import { setPipelineRunOpener } from './shared';
import {
  createPipelineRunWidget,
  PipelineRunContent,
  PipelinesPanelWidget,
  pipelineRunWidgetId
} from './widgets';

namespace CommandIDs {
  export const openPipelineRun = 'mlops-lab:open-pipeline-run';
  export const runAsPipeline = 'mlops-lab:run-as-pipeline';
  export const runFileAsPipeline = 'mlops-lab:run-file-as-pipeline';
}

const TOOLBAR_ITEM = 'mlops-lab-run-as-pipeline';
const PIPELINE_RUN_ID = /^[0-9a-f]{32}$/;

/** The notebooks selected in the default file browser (found by its id, no extra package). */
function selectedNotebooks(app: JupyterFrontEnd): string[] {
  for (const widget of app.shell.widgets('left')) {
    const browser = widget as any;
    if (widget.id === 'filebrowser' && typeof browser.selectedItems === 'function') {
      return Array.from(browser.selectedItems() as Iterable<{ path: string; type: string }>)
        .filter(item => item.type === 'notebook' || item.path.endsWith('.ipynb'))
        .map(item => item.path);
    }
  }
  return [];
}

export const pipelinesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:pipelines',
  description: 'mlops-lab pipelines: Pipelines tab, pipeline run views, Run as pipeline.',
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
    const tabs = new WidgetTracker<MainAreaWidget<PipelineRunContent>>({
      namespace: 'mlops-lab-pipeline-run'
    });
    const panel = new PipelinesPanelWidget(run =>
      void commands.execute(CommandIDs.openPipelineRun, { id: run.id })
    );
    lab.addPanelTab(panel, 40);

    commands.addCommand(CommandIDs.openPipelineRun, {
      label: 'Open Pipeline Run',
      execute: args => {
        const id = args.id;
        if (typeof id !== 'string' || !PIPELINE_RUN_ID.test(id)) {
          throw new Error(`Not a pipeline run id: ${String(id)}`);
        }
        openInMainArea(shell, tabs, pipelineRunWidgetId(id), () =>
          createPipelineRunWidget(id, {
            onOpenNotebook: path => lab.openNotebook(path),
            onOpenRun: runId => lab.openRun(runId)
          })
        );
        panel.update();
      }
    });
    setPipelineRunOpener(id => void commands.execute(CommandIDs.openPipelineRun, { id }));

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openPipelineRun,
        args: widget => ({ id: widget.content.pipelineRunId }),
        name: widget => widget.id
      });
    }

    commands.addCommand(CommandIDs.runFileAsPipeline, {
      label: 'Run as Pipeline…',
      caption: 'Run this notebook with papermill as a pipeline run',
      isVisible: () => selectedNotebooks(app).length === 1,
      execute: () => {
        const [path] = selectedNotebooks(app);
        if (path) {
          return runAsPipeline(path);
        }
      }
    });
    app.contextMenu.addItem({
      command: CommandIDs.runFileAsPipeline,
      selector: '.jp-DirListing-item[data-file-type="notebook"]',
      rank: 11
    });

    if (notebooks) {
      const run = (nb: NotebookPanel) => {
        // The saved notebook is what runs: save first so the form and the run see the edits.
        const save = nb.context.model.dirty ? nb.context.save() : Promise.resolve();
        return save.then(() => runAsPipeline(nb.context.path));
      };
      const addButton = (nb: NotebookPanel) => {
        nb.toolbar.insertItem(
          11,
          TOOLBAR_ITEM,
          new ToolbarButton({
            className: 'mlops-lab-run-pipeline-button',
            label: 'Run as pipeline',
            tooltip: 'Run this notebook with papermill as a pipeline run, with parameters',
            onClick: () => void run(nb)
          })
        );
      };
      notebooks.forEach(addButton);
      notebooks.widgetAdded.connect((_, nb) => addButton(nb));
      commands.addCommand(CommandIDs.runAsPipeline, {
        label: 'MLOps Lab: Run this notebook as a pipeline',
        isEnabled: () => notebooks.currentWidget !== null,
        execute: () => {
          const current = notebooks.currentWidget;
          if (current) {
            return run(current);
          }
        }
      });
      if (palette) {
        palette.addItem({ command: CommandIDs.runAsPipeline, category: 'MLOps Lab' });
      }
    }
  }
};
