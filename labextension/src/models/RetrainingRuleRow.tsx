/**
 * One retraining rule in the model view: what it watches, its notebook (opens in JupyterLab),
 * its gate in one line, its cooldown, and pause / resume, Fire now and Delete.
 */
import React from 'react';
import { humanDuration } from '../format';
import { Toggle } from '../common/Toggle';
import { IRetrainingRule } from './retrainingApi';

/** "holdout · label churned · roc_auc, margin 0.01 → @champion", or what happens without one. */
export function gateLine(rule: IRetrainingRule): string {
  const gate = rule.gate;
  if (!gate) {
    return `no gate: registers the version, @${rule.alias} stays`;
  }
  const judged = [gate.metric ?? 'default metric', gate.margin ? `margin ${gate.margin}` : null]
    .filter(Boolean)
    .join(', ');
  return `on ${gate.data} · label ${gate.label} · ${judged} → moves @${rule.alias}`;
}

export function RetrainingRuleRow(props: {
  rule: IRetrainingRule;
  busy: boolean;
  onOpenNotebook: (path: string) => void;
  onEnable: (enabled: boolean) => void;
  onFire: () => void;
  onDelete: () => void;
}): JSX.Element {
  const { rule } = props;
  const path = rule.notebook_path;
  return (
    <tr data-testid="mlops-lab-retraining-rule" data-rule={rule.name} data-enabled={rule.enabled}>
      <td>
        <strong>{rule.name}</strong>
      </td>
      <td data-testid="mlops-lab-retraining-watches">{rule.watches}</td>
      <td>
        {path === null ? (
          <code title="outside the server's root">{rule.notebook}</code>
        ) : (
          <button
            className="mlops-lab-link-button"
            data-testid="mlops-lab-retraining-notebook"
            title={`Open ${path}`}
            onClick={() => props.onOpenNotebook(path)}
          >
            {path}
          </button>
        )}
      </td>
      <td data-testid="mlops-lab-retraining-gate">{gateLine(rule)}</td>
      <td>{rule.cooldown_s ? humanDuration(rule.cooldown_s) : 'none'}</td>
      <td>
        <Toggle
          label={rule.enabled ? 'on' : 'paused'}
          checked={rule.enabled}
          testId="mlops-lab-retraining-enabled"
          onChange={props.onEnable}
        />
      </td>
      <td className="mlops-lab-retraining-actions">
        <button
          className="jp-mod-styled jp-mod-accept mlops-lab-small-button"
          data-testid="mlops-lab-retraining-fire"
          disabled={props.busy}
          title="Retrain now, as if the trigger fired (the cooldown still holds)"
          onClick={props.onFire}
        >
          Fire now
        </button>
        <button
          className="mlops-lab-link-button"
          data-testid="mlops-lab-retraining-delete"
          disabled={props.busy}
          onClick={props.onDelete}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
