/**
 * "Track this cell": put %%track on the first line of the active code cell.
 */
import { INotebookTracker } from '@jupyterlab/notebook';

const MAGIC = '%%track';

/** The cell source with %%track first, unchanged when it is already there. */
export function withTrackMagic(source: string): string {
  const firstLine = source.split('\n', 1)[0].trim();
  if (firstLine === MAGIC || firstLine.startsWith(`${MAGIC} `)) {
    return source;
  }
  return `${MAGIC}\n${source}`;
}

export function canTrackActiveCell(tracker: INotebookTracker): boolean {
  return tracker.activeCell?.model.type === 'code';
}

export function trackActiveCell(tracker: INotebookTracker): void {
  const cell = tracker.activeCell;
  if (!cell || cell.model.type !== 'code') {
    return;
  }
  const shared = cell.model.sharedModel;
  const source = shared.getSource();
  const updated = withTrackMagic(source);
  if (updated !== source) {
    shared.setSource(updated);
  }
}
