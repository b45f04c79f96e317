/**
 * The "Run as pipeline" form: one field per name of the notebook's `parameters` cell, prefilled
 * with its default. Only the fields the user changed are sent; each is read as its type
 * (numbers, true/false, JSON for lists and objects, text otherwise).
 */
import React from 'react';
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { INotebookParameter } from './api';

interface IField {
  param: INotebookParameter;
  text: string;
  checked: boolean;
  initial: string;
}

function initialText(param: INotebookParameter): string {
  if (param.value === null || param.value === undefined) {
    return param.default;
  }
  return typeof param.value === 'string' ? param.value : JSON.stringify(param.value);
}

/** The value a field's text stands for, given the parameter's type. */
export function readField(type: string, text: string): unknown {
  if (type === 'str') {
    return text;
  }
  if (type === 'int' || type === 'float') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) {
      throw new Error(`"${text}" is not a number`);
    }
    return n;
  }
  try {
    return JSON.parse(text);
  } catch {
    if (type === 'list' || type === 'dict') {
      throw new Error(`"${text}" is not JSON`);
    }
    return text;
  }
}

function Form(props: { fields: IField[]; onChange: (fields: IField[]) => void }): JSX.Element {
  const update = (index: number, change: Partial<IField>) => {
    const next = props.fields.map((f, i) => (i === index ? { ...f, ...change } : f));
    props.onChange(next);
  };
  if (props.fields.length === 0) {
    return (
      <p className="mlops-lab-empty" data-testid="mlops-lab-pipeline-no-parameters">
        This notebook has no cell tagged “parameters”; it will run as it is.
      </p>
    );
  }
  return (
    <table className="mlops-lab-kv mlops-lab-pipeline-form" data-testid="mlops-lab-pipeline-form">
      <tbody>
        {props.fields.map((field, index) => (
          <tr key={field.param.name}>
            <th>
              <label htmlFor={`mlops-lab-param-${field.param.name}`}>{field.param.name}</label>
              <div className="mlops-lab-pipeline-param-type">
                {field.param.type === 'None' ? 'any' : field.param.type}
              </div>
            </th>
            <td>
              {field.param.type === 'bool' ? (
                <input
                  id={`mlops-lab-param-${field.param.name}`}
                  type="checkbox"
                  checked={field.checked}
                  data-testid={`mlops-lab-param-${field.param.name}`}
                  onChange={event => update(index, { checked: event.target.checked })}
                />
              ) : (
                <input
                  id={`mlops-lab-param-${field.param.name}`}
                  className="jp-mod-styled mlops-lab-pipeline-param-input"
                  data-testid={`mlops-lab-param-${field.param.name}`}
                  value={field.text}
                  onChange={event => update(index, { text: event.target.value })}
                />
              )}
              {field.param.help && (
                <div className="mlops-lab-pipeline-param-help">{field.param.help}</div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface IFormValue {
  values: Record<string, unknown>;
  error: string | null;
}

/** The dialog body; `getValue()` gives the changed parameters, or what is wrong with one. */
export class ParametersBody extends ReactWidget implements Dialog.IBodyWidget<IFormValue> {
  constructor(params: INotebookParameter[]) {
    super();
    this.addClass('mlops-lab-pipeline-dialog');
    this.fields = params.map(param => {
      const text = initialText(param);
      return { param, text, checked: param.value === true, initial: text };
    });
  }

  getValue(): IFormValue {
    const values: Record<string, unknown> = {};
    for (const field of this.fields) {
      if (field.param.type === 'bool') {
        if (field.checked !== (field.param.value === true)) {
          values[field.param.name] = field.checked;
        }
      } else if (field.text !== field.initial) {
        try {
          values[field.param.name] = readField(field.param.type, field.text);
        } catch (error) {
          return { values, error: `${field.param.name}: ${(error as Error).message}` };
        }
      }
    }
    return { values, error: null };
  }

  render(): JSX.Element {
    return (
      <Form
        fields={this.fields}
        onChange={fields => {
          this.fields = fields;
          this.update();
        }}
      />
    );
  }

  private fields: IField[];
}
