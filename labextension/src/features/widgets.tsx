/**
 * Lumino widgets hosting the feature store views: the side-panel tab and a feature set's
 * main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mainAreaWidget, nameId, PanelTabWidget } from '../widgets';
import { IFeatureSet } from './api';
import { FeaturesPanel } from './FeaturesPanel';
import { FeatureSetView } from './FeatureSetView';

export class FeaturesPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (featureSet: IFeatureSet) => void) {
    super('mlops-lab-features-tab', 'Features');
  }

  render(): JSX.Element {
    return (
      <FeaturesPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        onOpen={this.onOpen}
      />
    );
  }
}

export class FeatureSetContent extends ReactWidget {
  constructor(
    readonly featureSetName: string,
    private readonly onOpenRun: (runId: string) => void
  ) {
    super();
  }

  render(): JSX.Element {
    return <FeatureSetView name={this.featureSetName} onOpenRun={this.onOpenRun} />;
  }
}

export function featureSetWidgetId(name: string): string {
  return nameId('mlops-lab-feature-set-', name);
}

export function createFeatureSetWidget(
  name: string,
  onOpenRun: (runId: string) => void
): MainAreaWidget<FeatureSetContent> {
  return mainAreaWidget(new FeatureSetContent(name, onOpenRun), {
    id: featureSetWidgetId(name),
    label: `Features ${name}`,
    caption: `Feature set ${name}`
  });
}
