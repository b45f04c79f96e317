/**
 * The monitoring part of the JupyterLab extension: the "Monitoring" tab of the side panel
 * (monitors, Run now, alerts, an open-alerts badge on the tab) and a monitor's main-area view.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { listenForAlertLinks } from './alertLinks';
import { createMonitorWidget, MonitorContent, MonitoringPanelWidget, monitorWidgetId } from './widgets';

namespace CommandIDs {
  export const openMonitor = 'mlops-lab:open-monitor';
}

export const monitoringPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:monitoring',
  description: 'mlops-lab monitoring: the Monitoring tab, alerts and monitor views.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab, restorer: ILayoutRestorer | null) => {
    const { commands, shell } = app;
    const tabs = new WidgetTracker<MainAreaWidget<MonitorContent>>({
      namespace: 'mlops-lab-monitor'
    });
    // A run from the panel or from a view: both load again.
    const ran = (name: string) => {
      tabs.find(widget => widget.content.monitorName === name)?.content.refresh();
      panel.refresh();
    };
    const panel = new MonitoringPanelWidget(
      monitor => void commands.execute(CommandIDs.openMonitor, { name: monitor.name }),
      ran
    );
    lab.addPanelTab(panel, 60);

    commands.addCommand(CommandIDs.openMonitor, {
      label: args => `Open Monitor ${(args.name as string) ?? ''}`,
      execute: args => {
        const name = args.name;
        if (typeof name !== 'string' || !name) {
          throw new Error('open-monitor needs a monitor name');
        }
        openInMainArea(shell, tabs, monitorWidgetId(name), () =>
          createMonitorWidget(name, ran, () => panel.settings.refreshInterval)
        );
      }
    });

    listenForAlertLinks(shell.node, id => {
      lab.showPanelTab(panel);
      panel.showAlert(id);
    });

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openMonitor,
        args: widget => ({ name: widget.content.monitorName }),
        name: widget => widget.id
      });
    }
  }
};
