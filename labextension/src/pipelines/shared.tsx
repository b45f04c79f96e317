/**
 * Small pieces the pipelines views share: JSON values for display, and the
 * way other parts (the run view's Reproduce button) open a pipeline run.
 */

/** A JSON value as short text (strings without quotes). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

export function fileName(path: string): string {
  return path.split('/').pop() ?? path;
}

type Opener = (id: string) => void;
let opener: Opener | null = null;

/** Set by the pipelines plugin: how a pipeline run is opened in the main area. */
export function setPipelineRunOpener(open: Opener): void {
  opener = open;
}

export function openPipelineRun(id: string): void {
  opener?.(id);
}
