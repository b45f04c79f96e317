/**
 * "Open notebook" from a run's source: open the notebook and select the cell the run came
 * from, found by its source (cells move and execution counts restart; the text is what the
 * run recorded).
 */
import { CommandRegistry } from '@lumino/commands';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRunSource } from './api';

const TRACK_LINE = /^%%track\b[^\n]*\n?/;

/** The index of the cell whose text (without its `%%track` line) is `cell`, preferring the
 * one with the recorded execution count; -1 when none is. */
export function findCell(
  cells: { source: string; executionCount: number | null }[],
  cell: string,
  executionCount: number | null | undefined
): number {
  const body = (text: string) => text.replace(TRACK_LINE, '').trim();
  const wanted = body(cell);
  const matches = cells.map((c, i) => (body(c.source) === wanted ? i : -1)).filter(i => i >= 0);
  const exact = matches.find(i => cells[i].executionCount === executionCount);
  return exact ?? matches[0] ?? -1;
}

export async function openNotebookAtCell(
  commands: CommandRegistry,
  path: string,
  source?: IRunSource
): Promise<void> {
  const widget = await commands.execute('docmanager:open', { path });
  if (!(widget instanceof NotebookPanel) || !source?.cell) {
    return;
  }
  await widget.context.ready;
  const notebook = widget.content;
  const index = findCell(
    notebook.widgets.map(cell => ({
      source: cell.model.sharedModel.getSource(),
      executionCount: cell.model.type === 'code' ? ((cell.model.toJSON().execution_count as number | null) ?? null) : null
    })),
    source.cell,
    source.execution_count
  );
  if (index >= 0) {
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
  }
}
