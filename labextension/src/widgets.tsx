/**
 * Lumino widgets hosting the React views: the side panel and the main-area tabs.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { IRun } from './api';
import { CompareView } from './components/CompareView';
import { RunView } from './components/RunView';
import { RunsPanel } from './components/RunsPanel';
import { mlopsIcon } from './icon';

export interface IPanelSettings {
  refreshInterval: number;
  defaultExperiment: string;
}

/**
 * A tab of the side panel (every part's tab extends it). It renders again when shown or
 * hidden, so its view can poll only while visible (`this.isVisible`).
 */
export abstract class PanelTabWidget extends ReactWidget {
  constructor(id: string, label: string) {
    super();
    this.addClass('mlops-lab-panel');
    this.id = id;
    this.title.label = label;
    this.title.caption = label; // the tab's tooltip, when a narrow panel shortens it
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }
}

/** The Runs tab. */
export class RunsPanelWidget extends PanelTabWidget {
  constructor(
    private readonly actions: {
      openRun: (run: IRun) => void;
      compare: (runs: IRun[]) => void;
    }
  ) {
    super('mlops-lab-runs-tab', 'Runs');
  }

  set settings(value: IPanelSettings) {
    this._settings = value;
    this.update();
  }

  render(): JSX.Element {
    return (
      <RunsPanel
        visible={this.isVisible}
        refreshInterval={this._settings.refreshInterval}
        defaultExperiment={this._settings.defaultExperiment}
        onOpenRun={this.actions.openRun}
        onCompare={this.actions.compare}
      />
    );
  }

  private _settings: IPanelSettings = { refreshInterval: 5, defaultExperiment: '' };
}

/** A main-area tab showing one run. */
export function createRunWidget(
  runId: string,
  name: string,
  openNotebook: (path: string) => void
): MainAreaWidget {
  const content = ReactWidget.create(
    <RunView
      runId={runId}
      onOpenNotebook={openNotebook}
      onLoaded={run => {
        widget.title.label = `Run ${run.name}`;
      }}
    />
  );
  content.addClass('mlops-lab-main');
  const widget = new MainAreaWidget({ content });
  widget.id = `mlops-lab-run-${runId}`;
  widget.title.label = `Run ${name || runId.slice(0, 8)}`;
  widget.title.caption = `Run ${name} (${runId})`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}

/** A main-area tab comparing runs. */
export function createCompareWidget(runIds: string[]): MainAreaWidget {
  const content = ReactWidget.create(<CompareView runIds={runIds} />);
  content.addClass('mlops-lab-main');
  const widget = new MainAreaWidget({ content });
  widget.id = `mlops-lab-compare-${runIds.join('-').slice(0, 200)}`;
  widget.title.label = `Compare ${runIds.length} runs`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
