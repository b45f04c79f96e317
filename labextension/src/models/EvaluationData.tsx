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
  const method = intervalMethod(e);
  return (
    <p className="mlops-lab-evaluation-data mlops-lab-muted" data-testid="mlops-lab-evaluation-data">
      On <SnapshotLink id={e.data.snapshot_id} label={e.data.snapshot} />
      {` · ${e.data.rows.toLocaleString()} rows · label `}
      <code>{e.data.label}</code>
      {` · ${percent(e.confidence)} intervals (${method}) · ${e.seconds.toFixed(1)} s · by `}
      <span className="mlops-lab-who">{e.created_by}</span>{' '}
      <span title={absoluteTime(e.created_at)}>{relativeTime(e.created_at)}</span>
    </p>
  );
}

/** How the intervals were found, as the server recorded it: DeLong's paired test (no
 * resampling) or a seeded paired bootstrap. */
function intervalMethod(e: IEvaluation): string {
  const bootstrap = `paired bootstrap, ${e.resamples.toLocaleString()} resamples, seed ${e.seed}`;
  if (e.kind === 'gate') {
    return e.method === 'delong' ? "DeLong's paired test" : bootstrap;
  }
  const delong = e.metrics.filter(m => e.methods[m] === 'delong');
  if (delong.length === e.metrics.length) {
    return "DeLong's paired test";
  }
  return delong.length ? `${bootstrap}; ${delong.join(', ')} by DeLong's paired test` : bootstrap;
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
