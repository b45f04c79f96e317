/**
 * "New retraining rule" in the model view: a name, what fires it (an alert of the model's
 * monitors, a dataset's new snapshot, a cron schedule), the notebook, its parameters as JSON,
 * the gate and the cooldown. The dialog stays open with the server's message until the server
 * takes the rule or the user cancels.
 */
import React from 'react';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { FormBody } from '../common/FormBody';
import { listDatasets } from '../datasets/api';
import { listMonitors } from '../monitoring/api';
import {
  createRule,
  INewRetrainingRule,
  IRetrainingRule,
  RetrainingTrigger
} from './retrainingApi';

interface IFields {
  name: string;
  on: RetrainingTrigger;
  monitor: string;
  dataset: string;
  cron: string;
  notebook: string;
  parameters: string;
  gateData: string;
  gateLabel: string;
  gateMetric: string;
  gateMargin: string;
  cooldown: string;
}

const INITIAL: IFields = {
  name: '',
  on: 'alert',
  monitor: '',
  dataset: '',
  cron: '',
  notebook: '',
  parameters: '{}',
  gateData: '',
  gateLabel: '',
  gateMetric: '',
  gateMargin: '',
  cooldown: '1h'
};

/** The request for these fields, or what is wrong with them (said before anything is sent). */
export function ruleRequest(model: string, f: IFields): INewRetrainingRule | string {
  let parameters: unknown;
  try {
    parameters = JSON.parse(f.parameters.trim() || '{}');
  } catch (error) {
    return `Parameters are not JSON (${(error as Error).message}); write an object such as {"snapshot": "{snapshot}"}.`;
  }
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    return 'Parameters are a JSON object of name: value, such as {"n_estimators": 200}.';
  }
  const rule: INewRetrainingRule = {
    name: f.name.trim(),
    model,
    notebook: f.notebook.trim(),
    on: f.on,
    parameters: parameters as Record<string, unknown>,
    cooldown: f.cooldown.trim() || '0'
  };
  const watched = { alert: f.monitor, snapshot: f.dataset, schedule: f.cron }[f.on].trim();
  if (watched) {
    rule[({ alert: 'monitor', snapshot: 'dataset', schedule: 'cron' } as const)[f.on]] = watched;
  }
  const gate = [f.gateData, f.gateLabel, f.gateMetric, f.gateMargin].map(v => v.trim());
  if (gate.some(Boolean)) {
    const margin = gate[3] ? Number(gate[3]) : null;
    if (margin !== null && !Number.isFinite(margin)) {
      return `The gate's margin "${gate[3]}" is not a number; write one such as 0.01, or leave it empty.`;
    }
    rule.gate = { data: gate[0], label: gate[1] };
    if (gate[2]) {
      rule.gate.metric = gate[2];
    }
    if (margin !== null) {
      rule.gate.margin = margin;
    }
  }
  return rule;
}

/** What the fields can name: the model's monitors, the datasets and the gate's metrics. */
interface IChoices {
  monitors: string[];
  datasets: string[];
}

/** The metrics a gate knows (mlops_lab/evaluation/metrics.py; a test keeps them equal). */
const GATE_METRICS = ['accuracy', 'roc_auc', 'log_loss', 'brier', 'mae', 'mse', 'rmse', 'r2'];

/** The choices offered as suggestions; none when the server cannot list them (the dialog still
 * takes typed names). */
async function loadChoices(model: string): Promise<IChoices> {
  const [monitors, datasets] = await Promise.all([
    listMonitors(model).then(
      page => page.items.map(m => m.name),
      () => []
    ),
    listDatasets('').then(
      page => page.items.map(d => d.name),
      () => []
    )
  ]);
  return { monitors, datasets };
}

/** The created rule, or null when cancelled. */
export async function askNewRetrainingRule(model: string): Promise<IRetrainingRule | null> {
  let fields: IFields = { ...INITIAL };
  let problem: string | null = null;
  const choices = await loadChoices(model);
  for (;;) {
    const body = new NewRuleBody(model, fields, problem, choices);
    const result = await showDialog({
      title: `New retraining rule for ${model}`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create' })],
      focusNodeSelector: '[data-testid="mlops-lab-new-rule-name"]'
    });
    if (!result.button.accept) {
      return null;
    }
    fields = body.fields;
    const request = ruleRequest(model, fields);
    if (typeof request === 'string') {
      problem = request;
      continue;
    }
    try {
      return await createRule(request);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
}

const WATCHED: Record<RetrainingTrigger, [keyof IFields, string, string]> = {
  alert: ['monitor', 'Monitor', "optional: only this monitor's alerts (default: any of the model's)"],
  snapshot: ['dataset', 'Dataset', 'the dataset whose new snapshots fire it, e.g. customers'],
  schedule: ['cron', 'Cron', 'when, e.g. 0 3 * * 1 (UTC)']
};

class NewRuleBody extends FormBody<IFields> {
  constructor(
    private readonly model: string,
    fields: IFields,
    private readonly problem: string | null,
    private readonly choices: IChoices
  ) {
    super(fields, 'mlops-lab-new-rule-');
    this.addClass('mlops-lab-new-monitor');
    this.addClass('mlops-lab-new-rule');
  }

  private suggestions(key: keyof IFields): string[] {
    return key === 'monitor'
      ? this.choices.monitors
      : key === 'dataset'
        ? this.choices.datasets
        : [];
  }

  render(): JSX.Element {
    const f = this.fields;
    const [watchedKey, watchedLabel, watchedHint] = WATCHED[f.on];
    return (
      <div className="mlops-lab-form">
        {this.problem && (
          <div className="mlops-lab-banner" role="alert" data-testid="mlops-lab-new-rule-error">
            {this.problem}
          </div>
        )}
        {this.text('name', 'Name', `e.g. ${this.model}-on-drift`)}
        <label className="mlops-lab-form-row">
          <span>Fires on</span>
          <select
            className="jp-mod-styled"
            data-testid="mlops-lab-new-rule-on"
            value={f.on}
            onChange={event => this.set({ on: event.target.value as RetrainingTrigger })}
          >
            <option value="alert">an alert of the model's monitors</option>
            <option value="snapshot">a new snapshot of a dataset</option>
            <option value="schedule">a schedule</option>
          </select>
        </label>
        {this.text(watchedKey, watchedLabel, watchedHint, this.suggestions(watchedKey))}
        {this.text('notebook', 'Notebook', 'relative to the server root, e.g. retrain.ipynb')}
        <label className="mlops-lab-form-row">
          <span>Parameters</span>
          <textarea
            className="jp-mod-styled"
            data-testid="mlops-lab-new-rule-parameters"
            rows={3}
            value={f.parameters}
            onChange={event => this.set({ parameters: event.target.value })}
          />
        </label>
        <p className="mlops-lab-muted">
          Parameter text may name {'{snapshot}'}, {'{alert}'}, {'{champion_version}'},{' '}
          {'{model}'}, {'{alias}'}, {'{fired_at}'}: filled in when the rule fires.
        </p>
        {this.text(
          'gateData',
          'Gate data',
          'labelled snapshot, e.g. holdout (empty: no gate)',
          this.choices.datasets
        )}
        {this.text('gateLabel', 'Gate label', 'its column of true answers, e.g. churned')}
        {this.text('gateMetric', 'Gate metric', 'optional: default accuracy or rmse', GATE_METRICS)}
        {this.text('gateMargin', 'Gate margin', 'optional: how much better, e.g. 0.01')}
        {this.text('cooldown', 'Cooldown', 'at least this long between retrainings, e.g. 1h')}
      </div>
    );
  }
}
