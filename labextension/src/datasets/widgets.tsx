/**
 * Lumino widgets hosting the datasets views: the "Data" side-panel tab and a snapshot's
 * main-area tab.
 */
import React from 'react';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { mainAreaWidget, PanelTabWidget, retitle } from '../widgets';
import { ISnapshot, ISnapshotSummary } from './api';
import { DataPanel } from './DataPanel';
import { SnapshotView } from './SnapshotView';

export class DataPanelWidget extends PanelTabWidget {
  constructor(private readonly onOpen: (snapshot: ISnapshotSummary) => void) {
    super('mlops-lab-data-tab', 'Data');
  }

  render(): JSX.Element {
    return (
      <DataPanel
        visible={this.isVisible}
        refreshInterval={this.settings.refreshInterval}
        onOpen={this.onOpen}
      />
    );
  }
}

export class SnapshotContent extends ReactWidget {
  constructor(
    readonly snapshotId: string,
    private readonly onOpenRun: (runId: string, name?: string) => void,
    private readonly onLoaded: (snapshot: ISnapshot) => void
  ) {
    super();
  }

  render(): JSX.Element {
    return (
      <SnapshotView
        snapshotId={this.snapshotId}
        onOpenRun={this.onOpenRun}
        onLoaded={this.onLoaded}
      />
    );
  }
}

export function snapshotWidgetId(snapshotId: string): string {
  return `mlops-lab-snapshot-${snapshotId}`;
}

export function createSnapshotWidget(
  snapshotId: string,
  label: string | null,
  onOpenRun: (runId: string, name?: string) => void
): MainAreaWidget<SnapshotContent> {
  const content = new SnapshotContent(snapshotId, onOpenRun, snapshot =>
    retitle(widget, `Snapshot ${snapshot.ref}`)
  );
  const widget = mainAreaWidget(content, {
    id: snapshotWidgetId(snapshotId),
    label: `Snapshot ${label ?? snapshotId.slice(0, 8)}`
  });
  return widget;
}
