/**
 * The "Run as pipeline" form: one field per name of the notebook's `parameters` cell, prefilled
 * with its default. Only the fields the user changed are sent; each is read as its type
 * (numbers, true/false, JSON for lists and objects, text otherwise).
 */
import React from 'react';
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { INotebookParameter } from './api';

export interface IField {
  param: INotebookParameter;
  text: string;
  checked: boolean;
  initial: string;
}

/** A field starts as the `parameters` cell wrote it (`1.0` stays `1.0`, not `1`); text shows
 * without its quotes, as it is typed and read back. */
function initialText(param: INotebookParameter): string {
  return typeof param.value === 'string' ? param.value : param.default;
}

/** What is wrong with a changed field's text, or null. */
function fieldProblem(field: IField): string | null {
  if (field.param.type === 'bool' || field.text === field.initial) {
    return null;
  }
  try {
    readField(field.param.type, field.text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The value a field's text stands for, given the parameter's type. */
export function readField(type: string, text: string): unknown {
  if (type === 'str') {
    return text;
  }
  if (type === 'int' || type === 'float') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) {
      throw new Error(`"${text}" is not a number (write it like 0.5 or 10)`);
    }
    return n;
  }
  try {
    return JSON.parse(text);
  } catch {
    if (type === 'list' || type === 'dict') {
      throw new Error(`"${text}" is not JSON (write it like [1, 2] or {"a": 1})`);
    }
    return text;
  }
}

function FieldRow(props: { field: IField; onChange: (change: Partial<IField>) => void }): JSX.Element {
  const { field } = props;
  const id = `mlops-lab-param-${field.param.name}`;
  const problem = fieldProblem(field);
  return (
    <tr>
      <th>
        <label htmlFor={id}>{field.param.name}</label>
        <div className="mlops-lab-pipeline-param-type">
          {field.param.type === 'None' ? 'any' : field.param.type}
        </div>
      </th>
      <td>
        {field.param.type === 'bool' ? (
          <input
            id={id}
            type="checkbox"
            checked={field.checked}
            data-testid={id}
            onChange={event => props.onChange({ checked: event.target.checked })}
          />
        ) : (
          <input
            id={id}
            className="jp-mod-styled mlops-lab-pipeline-param-input"
            data-testid={id}
            aria-invalid={problem !== null}
            aria-describedby={problem ? `${id}-problem` : undefined}
            value={field.text}
            onChange={event => props.onChange({ text: event.target.value })}
          />
        )}
        {problem && (
          <div id={`${id}-problem`} className="mlops-lab-pipeline-param-problem" data-testid={`${id}-problem`}>
            {problem}
          </div>
        )}
        {field.param.help && <div className="mlops-lab-pipeline-param-help">{field.param.help}</div>}
      </td>
    </tr>
  );
}

function Form(props: {
  fields: IField[];
  problem: string | null;
  onChange: (fields: IField[]) => void;
}): JSX.Element {
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
    <>
      {props.problem && (
        <div className="mlops-lab-banner" role="alert" data-testid="mlops-lab-pipeline-problem">
          {props.problem}
        </div>
      )}
      <table className="mlops-lab-kv mlops-lab-pipeline-form" data-testid="mlops-lab-pipeline-form">
        <tbody>
          {props.fields.map((field, index) => (
            <FieldRow key={field.param.name} field={field} onChange={change => update(index, change)} />
          ))}
        </tbody>
      </table>
    </>
  );
}

export interface IFormValue {
  values: Record<string, unknown>;
  error: string | null;
}

/** The dialog body; `getValue()` gives the changed parameters, or what is wrong with one.
 * Opened again with the `fields` of the last try, what was typed is kept. */
export class ParametersBody extends ReactWidget implements Dialog.IBodyWidget<IFormValue> {
  constructor(params: INotebookParameter[], fields?: IField[], problem: string | null = null) {
    super();
    this.addClass('mlops-lab-pipeline-dialog');
    this.problem = problem;
    this.fields =
      fields ??
      params.map(param => {
        const text = initialText(param);
        return { param, text, checked: param.value === true, initial: text };
      });
  }

  /** The fields as the user left them. */
  get typed(): IField[] {
    return this.fields;
  }

  getValue(): IFormValue {
    const values: Record<string, unknown> = {};
    for (const field of this.fields) {
      if (field.param.type === 'bool') {
        if (field.checked !== (field.param.value === true)) {
          values[field.param.name] = field.checked;
        }
      } else if (field.text !== field.initial) {
        const problem = fieldProblem(field);
        if (problem) {
          return { values, error: `${field.param.name}: ${problem}` };
        }
        values[field.param.name] = readField(field.param.type, field.text);
      }
    }
    return { values, error: null };
  }

  render(): JSX.Element {
    return (
      <Form
        fields={this.fields}
        problem={this.problem}
        onChange={fields => {
          this.fields = fields;
          this.update();
        }}
      />
    );
  }

  private fields: IField[];
  private problem: string | null;
}
