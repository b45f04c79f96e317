/**
 * One gate: its verdict, challenger against champion with both values, the improvement with
 * its interval drawn against 0 and the margin, the guardrails, why it failed, the data it
 * scored on, and the alias it moved.
 */
import React, { useMemo } from 'react';
import { PlotlyChart, useThemeChanges } from '../common/PlotlyChart';
import { IGate, IGateSide } from './evaluationApi';
import { gateChart } from './evaluationCharts';
import { EvaluationData, VersionLink } from './EvaluationData';
import { GateBadge, improvementText } from './GateSummary';
import { fixed, intervalText } from './intervals';

function Side(props: {
  side: IGateSide;
  role: string;
  onSelectVersion: (version: number) => void;
}): JSX.Element {
  return (
    <tr>
      <th scope="row">
        <VersionLink version={props.side.version} onSelectVersion={props.onSelectVersion} /> (
        {props.role})
      </th>
      <td className="mlops-lab-interval" title={props.side.ref}>
        {intervalText(props.side)}
      </td>
    </tr>
  );
}

export function GateCard(props: {
  gate: IGate;
  onSelectVersion: (version: number) => void;
}): JSX.Element {
  const { gate } = props;
  const select = props.onSelectVersion;
  const theme = useThemeChanges(); // the trace colours are the theme's
  const chart = useMemo(() => gateChart(gate), [gate, theme]);
  const better = gate.higher_is_better ? 'higher is better' : 'lower is better';
  return (
    <>
      <header className="mlops-lab-evaluation-header">
        <GateBadge gate={gate} />
        <strong>Gate #{gate.id}</strong>
        <span data-testid="mlops-lab-gate-versions">
          <VersionLink version={gate.challenger.version} onSelectVersion={select} /> (challenger)
          vs <VersionLink version={gate.champion.version} onSelectVersion={select} />{' '}
          (champion)
        </span>
        {gate.promoted && (
          <span className="mlops-lab-chip" data-testid="mlops-lab-gate-promoted">
            moved {gate.promoted.alias}{' '}
            {gate.promoted.from_version === null ? '' : `v${gate.promoted.from_version} `}→ v
            {gate.promoted.to_version}
          </span>
        )}
        {gate.promotion_skipped && (
          <span className="mlops-lab-muted" data-testid="mlops-lab-gate-not-promoted">
            not promoted: {gate.promotion_skipped}
          </span>
        )}
      </header>
      <div className="mlops-lab-gate-body">
        <table className="mlops-lab-kv mlops-lab-gate-values">
          <caption className="mlops-lab-muted">
            <code>{gate.metric}</code> ({better}); passes when the whole interval of the
            improvement is above the margin, {fixed(gate.margin)}, and every guardrail passed
          </caption>
          <tbody>
            <Side side={gate.challenger} role="challenger" onSelectVersion={select} />
            <Side side={gate.champion} role="champion" onSelectVersion={select} />
            <tr>
              <th scope="row">improvement</th>
              <td className="mlops-lab-interval" data-testid="mlops-lab-gate-improvement">
                {improvementText(gate)}
              </td>
            </tr>
          </tbody>
        </table>
        <PlotlyChart {...chart} height={120} className="mlops-lab-gate-chart" />
      </div>
      {gate.guardrails.length > 0 && (
        <ul className="mlops-lab-guardrails" data-testid="mlops-lab-gate-guardrails">
          {gate.guardrails.map(guardrail => {
            const [mark, label, style] =
              guardrail.checked === false
                ? ['?', 'not checked', 'mlops-lab-muted']
                : guardrail.passed
                  ? ['✓', 'passed', 'mlops-lab-ok']
                  : ['✗', 'failed', 'mlops-lab-bad'];
            return (
              <li key={guardrail.name} className={style}>
                <span className="mlops-lab-mark" aria-label={label}>
                  {mark}
                </span>
                <span>{guardrail.name}</span>
                {guardrail.detail && <span className="mlops-lab-muted"> — {guardrail.detail}</span>}
              </li>
            );
          })}
        </ul>
      )}
      {!gate.passed && gate.reasons.length > 0 && (
        <ul className="mlops-lab-gate-reasons" data-testid="mlops-lab-gate-reasons">
          {gate.reasons.map(reason => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <EvaluationData evaluation={gate} />
    </>
  );
}
