/**
 * The questions an alias move asks before it is made: which alias, and why (the reason is kept
 * in the alias history).
 */
import { InputDialog } from '@jupyterlab/apputils';

const SUGGESTED_ALIASES = ['champion', 'challenger', 'production'];

/** Asks why; null when cancelled. */
export async function askReason(title: string, label = ''): Promise<string | null> {
  const result = await InputDialog.getText({
    title,
    label: `${label}Reason (kept in the alias history)`,
    placeholder: 'e.g. better AUC on last week’s data',
    okLabel: 'Confirm'
  });
  return result.button.accept ? (result.value ?? '').trim() : null;
}

export async function askAlias(version: number): Promise<string | null> {
  const result = await InputDialog.getItem({
    title: `Set an alias on version ${version}`,
    label: 'Alias (letters, digits, _ . -)',
    items: SUGGESTED_ALIASES,
    editable: true,
    okLabel: 'Next'
  });
  return result.button.accept ? (result.value ?? '').trim() : null;
}

/** Asks why an alias is rolled back, saying where it goes: "champion: v7 → v5". */
export function askRollbackReason(alias: string, from: number, to: number): Promise<string | null> {
  return askReason(
    `Roll back ${alias}: v${from} → v${to}`,
    `@${alias} goes back to version ${to}, where it was before its latest move. `
  );
}
