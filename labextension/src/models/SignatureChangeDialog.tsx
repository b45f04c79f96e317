/**
 * Asked before registering a version whose input columns differ from the model's newest
 * version's (columns f0…f29 against named ones, a column retyped): the difference, and
 * whether to register all the same.
 */
import React from 'react';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ISignatureChange } from './kernelBridge';

const SHOWN = 12;

function Columns(props: { title: string; names: string[]; testId: string }): JSX.Element | null {
  if (props.names.length === 0) {
    return null;
  }
  const more = props.names.length - SHOWN;
  return (
    <div data-testid={props.testId}>
      <h4>
        {props.title} ({props.names.length})
      </h4>
      <p className="mlops-lab-signature-columns">
        {props.names.slice(0, SHOWN).join(', ')}
        {more > 0 ? ` and ${more} more` : ''}
      </p>
    </div>
  );
}

function SignatureChange(props: { change: ISignatureChange; name: string }): JSX.Element {
  const { change } = props;
  return (
    <div className="mlops-lab-signature-change" data-testid="mlops-lab-signature-change">
      <p>
        The new version of {props.name} takes other input columns than version{' '}
        {change.version}: whoever calls the model, and its monitors, would have to send the new
        ones.
      </p>
      <Columns title="Added" names={change.added} testId="mlops-lab-signature-added" />
      <Columns title="Removed" names={change.removed} testId="mlops-lab-signature-removed" />
      <Columns
        title="Retyped"
        names={change.retyped.map(c => `${c.name} (${c.from} → ${c.to})`)}
        testId="mlops-lab-signature-retyped"
      />
    </div>
  );
}

/** True when the user registers all the same; false to go back to the form. */
export async function confirmSignatureChange(
  change: ISignatureChange,
  name: string
): Promise<boolean> {
  const result = await showDialog({
    title: `Input columns differ from version ${change.version}`,
    body: <SignatureChange change={change} name={name} />,
    buttons: [
      Dialog.cancelButton({ label: 'Back' }),
      Dialog.warnButton({ label: 'Register anyway' })
    ]
  });
  return result.button.accept;
}
