/**
 * The features part of the JupyterLab extension: the "Features" tab of the side panel (search)
 * and a feature set's main-area view (definition, source, versions, freshness).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IMlopsLab } from '../tokens';
import { openInMainArea } from '../widgets';
import { listenForFeatureSetLinks } from './featureSetLinks';
import { createFeatureSetWidget, FeatureSetContent, featureSetWidgetId, FeaturesPanelWidget } from './widgets';

namespace CommandIDs {
  export const openFeatureSet = 'mlops-lab:open-feature-set';
}

export const featuresPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:features',
  description: 'mlops-lab features: the Features tab and feature set views.',
  autoStart: true,
  requires: [IMlopsLab],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab, restorer: ILayoutRestorer | null) => {
    const { commands, shell } = app;
    const tabs = new WidgetTracker<MainAreaWidget<FeatureSetContent>>({
      namespace: 'mlops-lab-feature-set'
    });
    const panel = new FeaturesPanelWidget(item =>
      void commands.execute(CommandIDs.openFeatureSet, { name: item.name })
    );
    lab.addPanelTab(panel, 20);

    commands.addCommand(CommandIDs.openFeatureSet, {
      label: args => `Open Feature Set ${(args.name as string) ?? ''}`,
      execute: args => {
        const name = args.name;
        if (typeof name !== 'string' || !name) {
          throw new Error('open-feature-set needs a feature set name');
        }
        const widget = openInMainArea(shell, tabs, featureSetWidgetId(name), () =>
          createFeatureSetWidget(name, runId => lab.openRun(runId))
        );
        widget.content.update(); // an open one shows the newest version
      }
    });

    listenForFeatureSetLinks(shell.node, name => {
      lab.showPanelTab(panel);
      void commands.execute(CommandIDs.openFeatureSet, { name });
    });

    if (restorer) {
      void restorer.restore(tabs, {
        command: CommandIDs.openFeatureSet,
        args: widget => ({ name: widget.content.featureSetName }),
        name: widget => widget.id
      });
    }
  }
};
