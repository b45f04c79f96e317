/**
 * The datasets part of the JupyterLab extension: the "Data" tab of the side panel, a
 * snapshot's main-area view (profile charts, diff, runs), and the snapshot links of the run
 * view's "Inputs and outputs".
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { listenForSnapshotLinks } from './snapshotLinks';
import { createSnapshotWidget, DataPanelWidget, SnapshotContent, snapshotWidgetId } from './widgets';

namespace CommandIDs {
  export const openSnapshot = 'mlops-lab:open-snapshot';
}

const SNAPSHOT_ID = /^[0-9a-f]{32}$/;

export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:datasets',
  description: 'mlops-lab datasets: the Data tab and snapshot views.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab, restorer: ILayoutRestorer | null) => {
    const { commands, shell } = app;
    const tabs = new WidgetTracker<MainAreaWidget<SnapshotContent>>({
      namespace: 'mlops-lab-snapshot'
    });
    const panel = new DataPanelWidget(snapshot =>
      void commands.execute(CommandIDs.openSnapshot, { id: snapshot.id, label: snapshot.ref })
    );
    lab.addPanelTab(panel, 10);

    commands.addCommand(CommandIDs.openSnapshot, {
      label: args => `Open Snapshot ${(args.label as string) ?? ''}`,
      execute: args => {
        const id = args.id;
        if (typeof id !== 'string' || !SNAPSHOT_ID.test(id)) {
          throw new Error('open-snapshot needs a snapshot id (32 hex digits)');
        }
        const label = typeof args.label === 'string' ? args.label : null;
        openInMainArea(shell, tabs, snapshotWidgetId(id), () =>
          createSnapshotWidget(id, label, (runId, name) => lab.openRun(runId, name))
        );
      }
    });

    listenForSnapshotLinks(shell.node, id => void commands.execute(CommandIDs.openSnapshot, { id }));

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openSnapshot,
        args: widget => ({ id: widget.content.snapshotId }),
        name: widget => widget.id
      });
    }
  }
};
