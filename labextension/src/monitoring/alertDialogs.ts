/**
 * The question an alert's move asks before it is made: an optional note, kept with the alert.
 */
import { InputDialog } from '@jupyterlab/apputils';

/** The note (may be empty); null when cancelled. */
export async function askNote(action: 'Acknowledge' | 'Resolve', what: string): Promise<string | null> {
  const result = await InputDialog.getText({
    title: `${action} alert: ${what.length > 60 ? what.slice(0, 59) + '…' : what}`,
    label: 'Note (optional, kept with the alert)',
    placeholder:
      action === 'Acknowledge' ? 'e.g. looking into it; a new data source' : 'e.g. retrained as v4',
    okLabel: action
  });
  return result.button.accept ? (result.value ?? '').trim() : null;
}
