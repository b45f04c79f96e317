/**
 * The runs that read a feature set (made a training set from one of its versions): who
 * depends on it, before it changes.
 */
import React from 'react';
import { absoluteTime, relativeTime } from '../format';
import { IFeatureSetReader } from './api';

export function FeatureSetReaders(props: {
  readers: IFeatureSetReader[];
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  if (props.readers.length === 0) {
    return (
      <p className="mlops-lab-muted">
        No run has read it yet: a run that calls ml.get_training_set with its features shows here.
      </p>
    );
  }
  return (
    <ul className="mlops-lab-lineage-list">
      {props.readers.map(run => (
        <li key={`${run.run_id}-${run.version}`} data-testid="mlops-lab-feature-reader">
          <button className="mlops-lab-link-button" onClick={() => props.onOpenRun(run.run_id)}>
            {run.name}
          </button>{' '}
          <span className="mlops-lab-muted" title={absoluteTime(run.start_time)}>
            read v{run.version} · {run.status} · {relativeTime(run.start_time)}
          </span>
        </li>
      ))}
    </ul>
  );
}
