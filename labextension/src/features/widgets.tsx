/**
 * Lumino widgets hosting the feature store views: the side-panel tab and a feature set's
 * main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mlopsIcon } from '../icon';
import { PanelTabWidget } from '../widgets';
import { IFeatureSet } from './api';
import { FeaturesPanel } from './FeaturesPanel';
import { FeatureSetView } from './FeatureSetView';

export class FeaturesPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (featureSet: IFeatureSet) => void) {
    super('mlops-lab-features-tab', 'Features');
  }

  render(): JSX.Element {
    return <FeaturesPanel visible={this.isVisible} refreshInterval={10} onOpen={this.onOpen} />;
  }
}

export class FeatureSetContent extends ReactWidget {
  constructor(
    readonly featureSetName: string,
    private readonly onOpenRun: (runId: string) => void
  ) {
    super();
    this.addClass('mlops-lab-main');
  }

  render(): JSX.Element {
    return <FeatureSetView name={this.featureSetName} onOpenRun={this.onOpenRun} />;
  }
}

/** A DOM-safe id for a feature set's tab, whatever characters its name has. */
export function featureSetWidgetId(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return 'mlops-lab-feature-set-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export function createFeatureSetWidget(
  name: string,
  onOpenRun: (runId: string) => void
): MainAreaWidget<FeatureSetContent> {
  const content = new FeatureSetContent(name, onOpenRun);
  const widget = new MainAreaWidget({ content });
  widget.id = featureSetWidgetId(name);
  widget.title.label = `Features ${name}`;
  widget.title.caption = `Feature set ${name}`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
