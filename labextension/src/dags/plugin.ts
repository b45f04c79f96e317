/**
 * The DAG part of the JupyterLab extension: the "DAGs" tab of the side panel (DAG runs) and a
 * DAG run's main-area view (its graph, statuses, Resume).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { isDagRunId } from './api';
import { createDagWidget, DagContent, DagsPanelWidget, dagWidgetId } from './widgets';
import { setDagRunOpener } from './open';

namespace CommandIDs {
  export const openDagRun = 'mlops-lab:open-dag-run';
}

export const dagsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:dags',
  description: 'mlops-lab DAGs: the DAGs tab and DAG run views.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab, restorer: ILayoutRestorer | null) => {
    const { commands, shell } = app;
    const tabs = new WidgetTracker<MainAreaWidget<DagContent>>({ namespace: 'mlops-lab-dag' });
    const panel = new DagsPanelWidget(run =>
      void commands.execute(CommandIDs.openDagRun, { id: run.id, name: run.name })
    );
    lab.addPanelTab(panel, 45);
    setDagRunOpener(id => void commands.execute(CommandIDs.openDagRun, { id }));

    commands.addCommand(CommandIDs.openDagRun, {
      label: args => `Open DAG Run ${(args.name as string) ?? ''}`,
      execute: args => {
        const id = args.id;
        if (!isDagRunId(id)) {
          throw new Error(`Not a DAG run id: ${String(id)}`);
        }
        openInMainArea(shell, tabs, dagWidgetId(id), () =>
          createDagWidget(id, (args.name as string) ?? '', (runId, name) => lab.openRun(runId, name))
        );
      }
    });

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openDagRun,
        args: widget => ({ id: widget.content.dagRunId }),
        name: widget => widget.id
      });
    }
  }
};
