import React from 'react';

/** A checkbox with its label, for a view's on/off choices. */
export function Toggle(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId?: string;
}): JSX.Element {
  return (
    <label className="mlops-lab-inline-label">
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        onChange={event => props.onChange(event.target.checked)}
      />
      {props.label}
    </label>
  );
}
