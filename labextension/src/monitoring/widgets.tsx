/**
 * Lumino widgets hosting the monitoring views: the side-panel tab (with its open-alerts badge)
 * and a monitor's main-area tab.
 */
import React from 'react';
import { MainAreaWidget } from '@jupyterlab/apputils';
import {
  IPanelSettings,
  mainAreaWidget,
  nameId,
  PanelTabWidget,
  VisibilityAwareWidget
} from '../widgets';
import { IAlertFocus } from './AlertsSection';
import { OpenAlertsBadge } from './alertsBadge';
import { IMonitorListItem } from './api';
import { MonitoringPanel } from './MonitoringPanel';
import { MonitorView } from './MonitorView';

export class MonitoringPanelWidget extends PanelTabWidget {
  constructor(
    private readonly onOpen: (monitor: IMonitorListItem) => void,
    private readonly onRan: (monitor: string) => void
  ) {
    super('mlops-lab-monitoring-tab', 'Monitoring');
    this.badge = new OpenAlertsBadge(this.title, this.settings.refreshInterval);
  }

  get settings(): IPanelSettings {
    return super.settings;
  }

  set settings(value: IPanelSettings) {
    super.settings = value;
    if (this.badge) {
      this.badge.seconds = value.refreshInterval;
    }
  }

  /** Loads the monitors again (one was run from its view). */
  refresh(): void {
    this.generation += 1;
    this.update();
  }

  /** Lists every alert with this one outlined (an alert link was followed). */
  showAlert(id: number): void {
    this.focusedAlert = { id, asked: (this.focusedAlert?.asked ?? 0) + 1 };
    this.update();
  }

  dispose(): void {
    this.badge?.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <MonitoringPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        generation={this.generation}
        onOpen={this.onOpen}
        onRan={this.onRan}
        onAlertsChanged={() => this.badge?.refresh()}
        focusedAlert={this.focusedAlert}
      />
    );
  }

  private generation = 0;
  private focusedAlert: IAlertFocus | null = null;
  // Made after the base constructor, which already hands out the settings.
  private readonly badge: OpenAlertsBadge | undefined;
}

/**
 * The content of a monitor's tab; `refresh()` loads it again (it was run from the panel).
 * While shown it looks for newer runs every `refreshSeconds()` (the panel's setting).
 */
export class MonitorContent extends VisibilityAwareWidget {
  constructor(
    readonly monitorName: string,
    private readonly onRan: (monitor: string) => void,
    private readonly refreshSeconds: () => number
  ) {
    super();
  }

  refresh(): void {
    this.generation += 1;
    this.update();
  }

  render(): JSX.Element {
    return (
      <MonitorView
        name={this.monitorName}
        generation={this.generation}
        visible={this.isVisible}
        refreshInterval={this.refreshSeconds()}
        onRan={() => this.onRan(this.monitorName)}
      />
    );
  }

  private generation = 0;
}

export function monitorWidgetId(name: string): string {
  return nameId('mlops-lab-monitor-', name);
}

export function createMonitorWidget(
  name: string,
  onRan: (monitor: string) => void,
  refreshSeconds: () => number
): MainAreaWidget<MonitorContent> {
  return mainAreaWidget(new MonitorContent(name, onRan, refreshSeconds), {
    id: monitorWidgetId(name),
    label: `Monitor ${name}`
  });
}
