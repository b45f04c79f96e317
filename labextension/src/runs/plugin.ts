/**
 * The runs part of the JupyterLab extension: the Runs tab of the side panel (first), the run
 * and compare tabs, the "Track this cell" command and the run links in %%track summaries.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { mlopsIcon } from '../icon';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { IRun } from './api';
import { openNotebookAtCell } from './openAtCell';
import { isRunId, listenForRunLinks } from './runLinks';
import { canTrackActiveCell, trackActiveCell } from './trackCell';
import {
  compareWidgetId,
  createCompareWidget,
  createRunWidget,
  RunsPanelWidget,
  runWidgetId
} from './widgets';

export const OPEN_RUN = 'mlops-lab:open-run';
const COMPARE = 'mlops-lab:compare-runs';
const TRACK_CELL = 'mlops-lab:track-cell';

export const runsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:runs',
  description: 'mlops-lab runs: the Runs tab, run and compare views, Track this cell.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [ILayoutRestorer, ICommandPalette, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    lab: IMlopsLab,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null
  ) => {
    const { commands, shell } = app;
    const runTabs = new WidgetTracker<MainAreaWidget>({ namespace: 'mlops-lab-run' });
    const compareTabs = new WidgetTracker<MainAreaWidget>({ namespace: 'mlops-lab-compare' });

    commands.addCommand(OPEN_RUN, {
      label: args => `Open Run ${(args.name as string) ?? ''}`,
      execute: args => {
        const id = args.runId;
        if (!isRunId(id)) {
          throw new Error(`Not a run id: ${String(id)}`);
        }
        openInMainArea(shell, runTabs, runWidgetId(id), () =>
          createRunWidget(id, (args.name as string) ?? '', (path, at) => void openNotebookAtCell(commands, path, at))
        );
      }
    });

    commands.addCommand(COMPARE, {
      label: 'Compare Runs',
      execute: args => {
        const ids = args.ids as string[];
        openInMainArea(shell, compareTabs, compareWidgetId(ids), () => createCompareWidget(ids));
      }
    });

    const panel = new RunsPanelWidget({
      openRun: (run: IRun) => lab.openRun(run.id, run.name),
      compare: (runs: IRun[]) => commands.execute(COMPARE, { ids: runs.map(run => run.id) })
    });
    lab.addPanelTab(panel, 0);

    // "open in MLOps Lab" under a tracked cell: the Runs tab, then the run's tab on top.
    listenForRunLinks(shell.node, runId => {
      lab.showPanelTab(panel);
      lab.openRun(runId);
    });

    if (restorer) {
      void restorer.restore(runTabs, {
        command: OPEN_RUN,
        args: widget => ({ runId: widget.id.replace('mlops-lab-run-', '') }),
        name: widget => widget.id
      });
    }

    if (notebooks) {
      commands.addCommand(TRACK_CELL, {
        label: 'MLOps Lab: Track this cell',
        caption: 'Record this cell as a run by adding %%track on its first line',
        icon: mlopsIcon,
        isEnabled: () => canTrackActiveCell(notebooks),
        execute: () => trackActiveCell(notebooks)
      });
      app.contextMenu.addItem({ command: TRACK_CELL, selector: '.jp-Notebook .jp-CodeCell', rank: 20 });
      if (palette) {
        palette.addItem({ command: TRACK_CELL, category: 'MLOps Lab' });
      }
    }
  }
};
