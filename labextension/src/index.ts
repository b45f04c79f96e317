/**
 * The mlops-lab JupyterLab extension. The core plugin here makes the "MLOps Lab" side panel
 * and reads its settings; each part (runs first) is a plugin of its own that adds its tab and
 * its main-area views through IMlopsLab.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { SidePanel } from '@jupyterlab/ui-components';
import { Panel, TabPanel, Widget } from '@lumino/widgets';
import { mlopsIcon } from './icon';
import { wrapTabRows } from './tabRows';
import { IMlopsLab } from './tokens';
import { DEFAULT_SETTINGS, IPanelSettings, PanelTabWidget } from './widgets';
import { OPEN_RUN, runsPlugin } from './runs/plugin';
import { datasetsPlugin } from './datasets/plugin';
import { featuresPlugin } from './features/plugin';
import { modelsPlugin } from './models/plugin';
import { pipelinesPlugin } from './pipelines/plugin';
import { dagsPlugin } from './dags/plugin';
import { monitoringPlugin } from './monitoring/plugin';

const PLUGIN_ID = 'mlops-lab:plugin';
const SHOW_PANEL = 'mlops-lab:show-panel';

function makeSidePanel(tabs: TabPanel): SidePanel {
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
  return panel;
}

const plugin: JupyterFrontEndPlugin<IMlopsLab> = {
  id: PLUGIN_ID,
  description: 'The MLOps Lab side panel that every part adds its tab to.',
  autoStart: true,
  provides: IMlopsLab,
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ): IMlopsLab => {
    const { commands, shell } = app;
    const tabs = new TabPanel({ tabPlacement: 'top' });
    tabs.addClass('mlops-lab-tabs');
    tabs.tabBar.addClass('mlops-lab-tabbar');
    wrapTabRows(tabs);
    const ranks = new Map<Widget, number>();
    const panel = makeSidePanel(tabs);
    shell.add(panel, 'left', { rank: 600 });

    let settings: IPanelSettings = DEFAULT_SETTINGS;
    const panelTabs: PanelTabWidget[] = [];
    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(loaded => {
        const apply = () => {
          settings = {
            refreshInterval: loaded.get('refreshInterval').composite as number,
            defaultExperiment: loaded.get('defaultExperiment').composite as string
          };
          panelTabs.forEach(tab => (tab.settings = settings));
        };
        apply();
        loaded.changed.connect(apply);
      });
    }

    commands.addCommand(SHOW_PANEL, {
      label: 'MLOps Lab: Show Runs',
      execute: () => shell.activateById(panel.id)
    });
    if (palette) {
      palette.addItem({ command: SHOW_PANEL, category: 'MLOps Lab' });
    }
    if (restorer) {
      restorer.add(panel, 'mlops-lab-panel');
    }

    return {
      addPanelTab: (widget: PanelTabWidget, rank: number) => {
        ranks.set(widget, rank);
        panelTabs.push(widget);
        widget.settings = settings;
        const index = tabs.widgets.filter(w => (ranks.get(w) ?? 0) <= rank).length;
        tabs.insertWidget(index, widget);
        if (index === 0) {
          tabs.currentWidget = widget; // the first tab shows first, whichever part came first
        }
      },
      showPanelTab: (widget: Widget) => {
        shell.activateById(panel.id);
        tabs.currentWidget = widget;
      },
      openRun: (runId: string, name?: string) =>
        void commands.execute(OPEN_RUN, { runId, name: name ?? '' }),
      openNotebook: (path: string) => void commands.execute('docmanager:open', { path })
    };
  }
};

export default [
  plugin,
  runsPlugin,
  datasetsPlugin,
  featuresPlugin,
  modelsPlugin,
  pipelinesPlugin,
  dagsPlugin,
  monitoringPlugin
];
