/**
 * The mlops-lab JupyterLab extension. The core plugin here makes the side panel (a tab per
 * part, Runs first), the run and compare tabs, the "Track this cell" command and the run links
 * in %%track summaries; each other part is a plugin of its own that adds its tab through
 * IMlopsLab.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { SidePanel } from '@jupyterlab/ui-components';
import { Panel, TabPanel, Widget } from '@lumino/widgets';
import { IRun } from './api';
import { mlopsIcon } from './icon';
import { isRunId, listenForRunLinks } from './runLinks';
import { wrapTabRows } from './tabRows';
import { canTrackActiveCell, trackActiveCell } from './trackCell';
import { IMlopsLab } from './tokens';
import { createCompareWidget, createRunWidget, RunsPanelWidget } from './widgets';
import { datasetsPlugin } from './datasets/plugin';
import { featuresPlugin } from './features/plugin';
import { modelsPlugin } from './models/plugin';
import { pipelinesPlugin } from './pipelines/plugin';
import { dagsPlugin } from './dags/plugin';

const PLUGIN_ID = 'mlops-lab:plugin';

namespace CommandIDs {
  export const openRun = 'mlops-lab:open-run';
  export const compare = 'mlops-lab:compare-runs';
  export const trackCell = 'mlops-lab:track-cell';
  export const showPanel = 'mlops-lab:show-panel';
}

const plugin: JupyterFrontEndPlugin<IMlopsLab> = {
  id: PLUGIN_ID,
  description: 'Side panel over mlops-lab runs; run and compare views; Track this cell.',
  autoStart: true,
  provides: IMlopsLab,
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null
  ): IMlopsLab => {
    const { commands, shell } = app;
    const runTabs = new WidgetTracker<MainAreaWidget>({ namespace: 'mlops-lab-run' });
    const compareTabs = new WidgetTracker<MainAreaWidget>({ namespace: 'mlops-lab-compare' });

    const openNotebook = (path: string) => commands.execute('docmanager:open', { path });

    commands.addCommand(CommandIDs.openRun, {
      label: args => `Open Run ${(args.name as string) ?? ''}`,
      execute: args => {
        const id = args.runId;
        if (!isRunId(id)) {
          throw new Error(`Not a run id: ${String(id)}`);
        }
        const existing = runTabs.find(widget => widget.id === `mlops-lab-run-${id}`);
        if (existing) {
          shell.activateById(existing.id);
          return;
        }
        const widget = createRunWidget(id, (args.name as string) ?? '', openNotebook);
        void runTabs.add(widget);
        shell.add(widget, 'main');
      }
    });

    commands.addCommand(CommandIDs.compare, {
      label: 'Compare Runs',
      execute: args => {
        const ids = args.ids as string[];
        const widget = createCompareWidget(ids);
        const existing = compareTabs.find(tab => tab.id === widget.id);
        if (existing) {
          widget.dispose();
          shell.activateById(existing.id);
          return;
        }
        void compareTabs.add(widget);
        shell.add(widget, 'main');
      }
    });

    const content = new RunsPanelWidget({
      openRun: (run: IRun) =>
        commands.execute(CommandIDs.openRun, { runId: run.id, name: run.name }),
      compare: (runs: IRun[]) =>
        commands.execute(CommandIDs.compare, { ids: runs.map(run => run.id) })
    });
    const tabs = new TabPanel({ tabPlacement: 'top' });
    tabs.addClass('mlops-lab-tabs');
    tabs.tabBar.addClass('mlops-lab-tabbar');
    wrapTabRows(tabs);
    const ranks = new Map<Widget, number>([[content, 0]]);
    tabs.addWidget(content);
    const panel = new SidePanel({ content: new Panel() });
    panel.id = 'mlops-lab-panel';
    const heading = new Widget({ node: document.createElement('h2') });
    heading.node.textContent = 'MLOps Lab';
    heading.addClass('jp-SidePanel-header');
    panel.header.addWidget(heading);
    panel.title.icon = mlopsIcon;
    panel.title.caption = 'MLOps Lab';
    panel.addClass('mlops-lab-sidepanel');
    panel.addWidget(tabs);
    shell.add(panel, 'left', { rank: 600 });

    commands.addCommand(CommandIDs.showPanel, {
      label: 'MLOps Lab: Show Runs',
      execute: () => shell.activateById(panel.id)
    });

    // "open in MLOps Lab" under a tracked cell: the panel, then the run's tab on top.
    listenForRunLinks(shell.node, runId => {
      void commands
        .execute(CommandIDs.showPanel)
        .then(() => commands.execute(CommandIDs.openRun, { runId }));
    });

    if (restorer) {
      restorer.add(panel, 'mlops-lab-panel');
      void restorer.restore(runTabs, {
        command: CommandIDs.openRun,
        args: widget => ({ runId: widget.id.replace('mlops-lab-run-', '') }),
        name: widget => widget.id
      });
    }

    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(settings => {
        const apply = () => {
          content.settings = {
            refreshInterval: settings.get('refreshInterval').composite as number,
            defaultExperiment: settings.get('defaultExperiment').composite as string
          };
        };
        apply();
        settings.changed.connect(apply);
      });
    }

    if (notebooks) {
      commands.addCommand(CommandIDs.trackCell, {
        label: 'MLOps Lab: Track this cell',
        caption: 'Record this cell as a run by adding %%track on its first line',
        icon: mlopsIcon,
        isEnabled: () => canTrackActiveCell(notebooks),
        execute: () => trackActiveCell(notebooks)
      });
      app.contextMenu.addItem({
        command: CommandIDs.trackCell,
        selector: '.jp-Notebook .jp-CodeCell',
        rank: 20
      });
    }

    if (palette) {
      const category = 'MLOps Lab';
      palette.addItem({ command: CommandIDs.showPanel, category });
      if (notebooks) {
        palette.addItem({ command: CommandIDs.trackCell, category });
      }
    }

    return {
      addPanelTab: (widget: Widget, rank: number) => {
        ranks.set(widget, rank);
        const index = tabs.widgets.filter(w => (ranks.get(w) ?? 0) <= rank).length;
        tabs.insertWidget(index, widget);
      },
      showPanelTab: (widget: Widget) => {
        shell.activateById(panel.id);
        tabs.currentWidget = widget;
      },
      openRun: (runId: string, name?: string) =>
        void commands.execute(CommandIDs.openRun, { runId, name: name ?? '' }),
      openNotebook: (path: string) => void openNotebook(path)
    };
  }
};

export default [
  plugin,
  datasetsPlugin,
  featuresPlugin,
  modelsPlugin,
  pipelinesPlugin,
  dagsPlugin
];
