/**
 * Small pieces the pipelines views share: the status pill, JSON values for display, and the
 * way other parts (the run view's Reproduce button) open a pipeline run.
 */
import React from 'react';
import { PipelineStatus } from './api';

export function PipelineStatusBadge(props: { status: PipelineStatus }): JSX.Element {
  return (
    <span
      className={`mlops-lab-status mlops-lab-status-${props.status.toLowerCase()}`}
      data-testid="mlops-lab-pipeline-status"
      title={props.status}
    >
      <span className="mlops-lab-status-dot" />
      {props.status.toLowerCase()}
    </span>
  );
}

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
