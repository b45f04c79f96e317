/**
 * A gate in a few words, for the places that point at its card: its verdict as a badge, and
 * "roc_auc +0.030 [+0.020, +0.040]".
 */
import React from 'react';
import { StatusBadge } from '../common/StatusBadge';
import { IGate } from './evaluationApi';
import { intervalText, signed } from './intervals';

export function GateBadge(props: { gate: IGate }): JSX.Element {
  return (
    <span className="mlops-lab-gate-verdict">
      <StatusBadge status={props.gate.passed ? 'passed' : 'failed'} testId="mlops-lab-gate-badge" />
    </span>
  );
}

/** "passed: roc_auc +0.030", as the alias history says which gate moved an alias. */
export function gateVerdict(gate: IGate): string {
  return `${gate.passed ? 'passed' : 'failed'}: ${gate.metric} ${signed(gate.improvement.value)}`;
}

/** The improvement with its interval, signed: "+0.030 [+0.020, +0.040]". */
export function improvementText(gate: IGate): string {
  return intervalText(gate.improvement, signed);
}
