/**
 * Lumino widgets hosting the runs views: the Runs tab of the side panel and the main-area
 * tabs of a run and of a comparison.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mainAreaWidget, PanelTabWidget, retitle } from '../widgets';
import { IRun, IRunSource } from './api';
import { CompareView } from './CompareView';
import { RunView } from './RunView';
import { RunsPanel } from './RunsPanel';

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

  render(): JSX.Element {
    return (
      <RunsPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        defaultExperiment={this.settings.defaultExperiment}
        onOpenRun={this.actions.openRun}
        onCompare={this.actions.compare}
      />
    );
  }
}

export function runWidgetId(runId: string): string {
  return `mlops-lab-run-${runId}`;
}

/** A main-area tab showing one run. */
export function createRunWidget(
  runId: string,
  name: string,
  openNotebook: (path: string, at?: IRunSource) => void
): MainAreaWidget {
  const content = ReactWidget.create(
    <RunView
      runId={runId}
      onOpenNotebook={openNotebook}
      onLoaded={run => retitle(widget, `Run ${run.name}`, `Run ${run.name} (${runId})`)}
    />
  );
  const widget = mainAreaWidget(content, {
    id: runWidgetId(runId),
    label: `Run ${name || runId.slice(0, 8)}`,
    caption: `Run ${name} (${runId})`
  });
  return widget;
}

/** The same runs, picked in any order, are one comparison (and so one tab). */
export function compareWidgetId(runIds: string[]): string {
  const ids = [...new Set(runIds)].sort();
  return `mlops-lab-compare-${ids.join('-')}`;
}

/** A main-area tab comparing runs. */
export function createCompareWidget(runIds: string[]): MainAreaWidget {
  const content = ReactWidget.create(
    <CompareView runIds={runIds} onLoaded={runs => retitle(widget, ...compareLabel(runs))} />
  );
  const widget = mainAreaWidget(content, {
    id: compareWidgetId(runIds),
    label: `Compare ${runIds.length} runs`
  });
  return widget;
}

/** "Compare rf-run, svm-run" (the names cut short when long), and every name in the tooltip. */
function compareLabel(runs: IRun[]): [string, string] {
  const names = runs.map(run => run.name);
  const label = `Compare ${names.join(', ')}`;
  const short =
    label.length > 48 ? `Compare ${runs.length} runs: ${names.join(', ').slice(0, 30)}…` : label;
  return [short, `Compare ${runs.length} runs:\n${names.join('\n')}`];
}
