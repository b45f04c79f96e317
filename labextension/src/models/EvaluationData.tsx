/**
 * What an evaluation scored on and how: the labelled snapshot (a link that opens it), its rows
 * and label, the interval's method, and who ran it when.
 */
import React from 'react';
import { SnapshotLink } from '../common/SnapshotLink';
import { absoluteTime, relativeTime } from '../format';
import { IEvaluation } from './evaluationApi';
import { percent } from './intervals';

export function EvaluationData(props: { evaluation: IEvaluation }): JSX.Element {
  const e = props.evaluation;
  const method = e.kind === 'gate' ? `${e.method}, ` : '';
  return (
    <p className="mlops-lab-evaluation-data mlops-lab-muted" data-testid="mlops-lab-evaluation-data">
      On <SnapshotLink id={e.data.snapshot_id} label={e.data.snapshot} />
      {` · ${e.data.rows.toLocaleString()} rows · label `}
      <code>{e.data.label}</code>
      {` · ${percent(e.confidence)} intervals (${method}${e.resamples.toLocaleString()} ` +
        `resamples, seed ${e.seed}) · ${e.seconds.toFixed(1)} s · by `}
      <span className="mlops-lab-who">{e.created_by}</span>{' '}
      <span title={absoluteTime(e.created_at)}>{relativeTime(e.created_at)}</span>
    </p>
  );
}

/** A version as a link that shows it in detail below. */
export function VersionLink(props: {
  version: number;
  onSelectVersion: (version: number) => void;
}): JSX.Element {
  return (
    <button
      className="mlops-lab-link-button"
      title={`Show version ${props.version}`}
      onClick={() => props.onSelectVersion(props.version)}
    >
      v{props.version}
    </button>
  );
}
