/**
 * The "Register model" dialog: which model variable, under which name, with which alias and
 * description, and which variable is its input example — all fed by the live kernel.
 */
import React, { useState } from 'react';
import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { ALIAS_PATTERN } from './api';
import { ICandidates, IRegisterRequest } from './kernelBridge';
import { SavingRun } from './SavingRun';

function defaultExample(candidates: ICandidates, variable: string): string {
  const model = candidates.models.find(m => m.name === variable);
  const fits = candidates.examples.find(
    e => model?.n_features !== null && e.shape[1] === model?.n_features
  );
  return fits?.name ?? '';
}

function RegisterForm(props: {
  candidates: ICandidates;
  initial: IRegisterRequest;
  error: string | null;
  onChange: (value: IRegisterRequest) => void;
  onOpenRun: (runId: string, name?: string) => void;
}): JSX.Element {
  const [value, setValue] = useState<IRegisterRequest>(props.initial);
  // The name follows the model variable until the user types one of their own.
  const [nameTyped, setNameTyped] = useState(props.initial.name !== props.initial.variable);
  const update = (patch: Partial<IRegisterRequest>) => {
    const next = { ...value, ...patch };
    setValue(next);
    props.onChange(next);
  };
  const { models, examples } = props.candidates;
  const chosen = models.find(m => m.name === value.variable);
  return (
    <div className="mlops-lab-register-form" data-testid="mlops-lab-register-form">
      {props.error && (
        <div className="mlops-lab-banner" role="alert" data-testid="mlops-lab-register-error">
          {props.error}
        </div>
      )}
      <label>
        Model variable
        <select
          className="jp-mod-styled"
          data-testid="mlops-lab-register-variable"
          value={value.variable}
          onChange={event =>
            update({
              variable: event.target.value,
              example: defaultExample(props.candidates, event.target.value),
              ...(nameTyped ? {} : { name: event.target.value })
            })
          }
        >
          {models.map(model => (
            <option key={model.name} value={model.name}>
              {model.name} — {model.class}
            </option>
          ))}
        </select>
      </label>
      <SavingRun model={chosen} onOpenRun={props.onOpenRun} />
      <label>
        Model name
        <input
          className="jp-mod-styled"
          data-testid="mlops-lab-register-name"
          value={value.name}
          maxLength={180}
          placeholder="e.g. churn"
          onChange={event => {
            setNameTyped(true);
            update({ name: event.target.value });
          }}
        />
      </label>
      <label>
        Alias (optional)
        <input
          className="jp-mod-styled"
          data-testid="mlops-lab-register-alias"
          list="mlops-lab-alias-suggestions"
          value={value.alias}
          maxLength={64}
          placeholder="e.g. challenger"
          onChange={event => update({ alias: event.target.value })}
        />
        <datalist id="mlops-lab-alias-suggestions">
          <option value="champion" />
          <option value="challenger" />
          <option value="production" />
        </datalist>
      </label>
      <label>
        Description (optional)
        <textarea
          className="jp-mod-styled"
          data-testid="mlops-lab-register-description"
          rows={3}
          value={value.description}
          onChange={event => update({ description: event.target.value })}
        />
      </label>
      <label>
        Input example (for the signature)
        <select
          className="jp-mod-styled"
          data-testid="mlops-lab-register-example"
          value={value.example}
          onChange={event => update({ example: event.target.value })}
        >
          <option value="">none</option>
          {examples.map(example => (
            <option key={example.name} value={example.name}>
              {example.name} — {example.kind} {example.shape.join('×')}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

class RegisterBody extends ReactWidget {
  constructor(
    private readonly candidates: ICandidates,
    private value: IRegisterRequest,
    private readonly error: string | null,
    private readonly onOpenRun: (runId: string, name?: string) => void
  ) {
    super();
    this.addClass('mlops-lab-register-dialog');
  }

  getValue(): IRegisterRequest {
    return this.value;
  }

  render(): JSX.Element {
    return (
      <RegisterForm
        candidates={this.candidates}
        initial={this.value}
        error={this.error}
        onChange={value => {
          this.value = value;
        }}
        onOpenRun={this.onOpenRun}
      />
    );
  }
}

/** Problems with the form, or null when it can be sent. */
export function validate(value: IRegisterRequest): string | null {
  if (!value.variable) {
    return 'Choose the variable that holds the model.';
  }
  if (!value.name.trim()) {
    return 'Give the model a name.';
  }
  if (value.alias.trim() && (!ALIAS_PATTERN.test(value.alias.trim()) || /^\d+$/.test(value.alias.trim()))) {
    return 'An alias is 1 to 64 letters, digits, _ . or - (and not just a number).';
  }
  return null;
}

/** Shows the dialog until it is cancelled or filled in validly (or the kernel refuses and the
 * user gives up); the request, or null when cancelled. */
export async function askRegistration(
  candidates: ICandidates,
  previous: IRegisterRequest | null,
  error: string | null,
  onOpenRun: (runId: string, name?: string) => void
): Promise<IRegisterRequest | null> {
  let value: IRegisterRequest = previous ?? {
    variable: candidates.models[0]?.name ?? '',
    name: candidates.models[0]?.name ?? '',
    alias: '',
    description: '',
    example: defaultExample(candidates, candidates.models[0]?.name ?? '')
  };
  let problem = error;
  for (;;) {
    const body = new RegisterBody(candidates, value, problem, onOpenRun);
    const result = await showDialog({
      title: 'Register model',
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Register' })],
      focusNodeSelector: '[data-testid="mlops-lab-register-name"]'
    });
    if (!result.button.accept) {
      return null;
    }
    value = (result.value as IRegisterRequest | null) ?? body.getValue();
    problem = validate(value);
    if (problem === null) {
      return {
        ...value,
        name: value.name.trim(),
        alias: value.alias.trim(),
        description: value.description.trim()
      };
    }
  }
}
