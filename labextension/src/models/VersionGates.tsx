/**
 * The gates a version was the challenger in, a line each; a line shows its gate's card.
 */
import React from 'react';
import { relativeTime } from '../format';
import { IGate } from './evaluationApi';
import { GateBadge, improvementText } from './GateSummary';

export function VersionGates(props: {
  gates: IGate[];
  onShowEvaluation: (id: number) => void;
}): JSX.Element {
  if (props.gates.length === 0) {
    return <p className="mlops-lab-muted">This version was not the challenger in any gate.</p>;
  }
  return (
    <ul className="mlops-lab-version-gates" data-testid="mlops-lab-version-gates">
      {props.gates.map(gate => (
        <li key={gate.id}>
          <button
            className="mlops-lab-gate-line"
            data-testid="mlops-lab-version-gate"
            title={`Show gate #${gate.id}`}
            onClick={() => props.onShowEvaluation(gate.id)}
          >
            <GateBadge gate={gate} />
            <span>
              #{gate.id} against v{gate.champion.version}: <code>{gate.metric}</code>{' '}
              {improvementText(gate)}
            </span>
            <span className="mlops-lab-muted">{relativeTime(gate.created_at)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
