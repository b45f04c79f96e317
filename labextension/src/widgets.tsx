/**
 * Lumino pieces every part uses: the base of a side-panel tab, and the one recipe that opens
 * a view in a main-area tab (or shows the one already open).
 */
import { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, ReactWidget, WidgetTracker } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { mlopsIcon } from './icon';

/** The settings of the side panel (labextension/schema/plugin.json). */
export interface IPanelSettings {
  /** Seconds between refreshes of the visible tab; 0 turns refreshing off. */
  refreshInterval: number;
  defaultExperiment: string;
}

export const DEFAULT_SETTINGS: IPanelSettings = { refreshInterval: 5, defaultExperiment: '' };

/**
 * A React view that renders again when shown or hidden, so it can poll only while visible
 * (`this.isVisible`): the side panel's tabs, and main-area views that follow their subject.
 */
export abstract class VisibilityAwareWidget extends ReactWidget {
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }
}

/**
 * A tab of the side panel (every part's tab extends it). It renders again when shown or
 * hidden (VisibilityAwareWidget), and when the settings change, so it polls at
 * `this.settings.refreshInterval`.
 */
export abstract class PanelTabWidget extends VisibilityAwareWidget {
  constructor(id: string, label: string) {
    super();
    this.addClass('mlops-lab-panel');
    this.id = id;
    this.title.label = label;
    this.title.caption = label; // the tab's tooltip, when a narrow panel shortens it
  }

  get settings(): IPanelSettings {
    return this._settings;
  }

  set settings(value: IPanelSettings) {
    this._settings = value;
    this.update();
  }

  private _settings: IPanelSettings = DEFAULT_SETTINGS;
}

/** What a main-area tab is called. */
export interface IMainAreaTab {
  id: string;
  label: string;
  caption?: string;
}

/** A closable main-area tab around `content`, with the extension's icon. */
export function mainAreaWidget<T extends Widget>(content: T, tab: IMainAreaTab): MainAreaWidget<T> {
  content.addClass('mlops-lab-main');
  const widget = new MainAreaWidget({ content });
  widget.id = tab.id;
  widget.title.label = tab.label;
  widget.title.caption = tab.caption ?? tab.label;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}

/** Renames a main-area tab (once its view knows the thing's name). */
export function retitle(widget: Widget, label: string, caption?: string): void {
  widget.title.label = label;
  widget.title.caption = caption ?? label;
}

/**
 * Shows the main-area tab `id` if it is open; otherwise makes it with `create`, tracks it
 * (so the layout restorer reopens it) and adds it. Returns the tab.
 */
export function openInMainArea<T extends Widget>(
  shell: JupyterFrontEnd.IShell | ILabShell,
  tracker: WidgetTracker<MainAreaWidget<T>>,
  id: string,
  create: () => MainAreaWidget<T>
): MainAreaWidget<T> {
  const existing = tracker.find(widget => widget.id === id);
  if (existing) {
    shell.activateById(existing.id);
    return existing;
  }
  const widget = create();
  void tracker.add(widget);
  shell.add(widget, 'main');
  return widget;
}

/** A DOM-safe id for a tab of a thing whose name may hold any character. */
export function nameId(prefix: string, name: string): string {
  const bytes = new TextEncoder().encode(name);
  return prefix + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
