/**
 * In the alias history, the gate whose evidence moved an alias: "by gate #3 (passed:
 * roc_auc +0.030)", a link that shows its card; elsewhere (a retraining's lineage) without
 * the "by".
 */
import React from 'react';
import { IEvaluation } from './evaluationApi';
import { gateVerdict } from './GateSummary';

export function GateLink(props: {
  id: number;
  evaluations: IEvaluation[];
  onShowEvaluation: (id: number) => void;
  lead?: string;
  testId?: string;
}): JSX.Element {
  const found = props.evaluations.find(e => e.id === props.id);
  const verdict = found?.kind === 'gate' ? ` (${gateVerdict(found)})` : '';
  return (
    <button
      className="mlops-lab-link-button mlops-lab-gate-link"
      data-testid={props.testId ?? 'mlops-lab-alias-gate-link'}
      title={`Show gate #${props.id}`}
      onClick={() => props.onShowEvaluation(props.id)}
    >
      {props.lead ?? 'by '}gate #{props.id}
      {verdict}
    </button>
  );
}
