/**
 * Small pieces the pipelines views share: JSON values for display, and the
 * way other parts (the run view's Reproduce button) open a pipeline run.
 */
import { makeOpener } from '../common/opener';

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

/** How a pipeline run is opened in the main area (set by the pipelines plugin). */
const pipelineRuns = makeOpener();
export const setPipelineRunOpener = pipelineRuns.set;
export const openPipelineRun = pipelineRuns.open;
