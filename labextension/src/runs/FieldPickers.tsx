/**
 * Choosing what a comparison chart draws: one field (a select) or several (a list of
 * checkboxes that opens under a button).
 */
import React from 'react';
import { fieldId, IField, parseFieldId } from './compareFields';

function fieldLabel(field: IField): string {
  return `${field.kind === 'param' ? 'param' : 'metric'} ${field.key}`;
}

export function FieldSelect(props: {
  label: string;
  fields: IField[];
  value: IField | null;
  onChange: (field: IField) => void;
  testId: string;
}): JSX.Element {
  return (
    <label className="mlops-lab-inline-label">
      {props.label}
      <select
        className="jp-mod-styled"
        data-testid={props.testId}
        value={props.value ? fieldId(props.value) : ''}
        onChange={event => props.onChange(parseFieldId(event.target.value))}
      >
        {props.fields.map(field => (
          <option key={fieldId(field)} value={fieldId(field)}>
            {fieldLabel(field)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function FieldChecklist(props: {
  label: string;
  fields: IField[];
  chosen: IField[];
  onChange: (fields: IField[]) => void;
  testId: string;
}): JSX.Element {
  const chosen = new Set(props.chosen.map(fieldId));
  const toggle = (field: IField, on: boolean) =>
    props.onChange(props.fields.filter(f => (f === field ? on : chosen.has(fieldId(f)))));
  return (
    <details className="mlops-lab-field-checklist" data-testid={props.testId}>
      <summary className="jp-mod-styled">
        {props.label} ({chosen.size})
      </summary>
      <div className="mlops-lab-field-checklist-items">
        {props.fields.map(field => (
          <label key={fieldId(field)} className="mlops-lab-inline-label" title={field.key}>
            <input
              type="checkbox"
              checked={chosen.has(fieldId(field))}
              onChange={event => toggle(field, event.target.checked)}
            />
            {fieldLabel(field)}
          </label>
        ))}
      </div>
    </details>
  );
}
