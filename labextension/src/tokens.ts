/**
 * What the core plugin offers the plugins of the parts (runs, datasets, features, models,
 * pipelines, DAGs): a tab in the side panel and ways to open what the others show.
 */
import { Token } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import type { PanelTabWidget } from './widgets';

export interface IMlopsLab {
  /**
   * Adds a tab to the "MLOps Lab" side panel; tabs are ordered by rank (Runs is 0). The tab
   * is given the panel's settings now and whenever they change.
   */
  addPanelTab(widget: PanelTabWidget, rank: number): void;
  /** Shows the side panel with the tab holding `widget` selected. */
  showPanelTab(widget: Widget): void;
  /** Opens a run in a main-area tab. */
  openRun(runId: string, name?: string): void;
  /** Opens a notebook (server-relative path) in JupyterLab. */
  openNotebook(path: string): void;
}

export const IMlopsLab = new Token<IMlopsLab>(
  'mlops-lab:IMlopsLab',
  'The mlops-lab side panel and run views, for the plugins of the other parts.'
);
