/**
 * "Register model" in the notebook toolbar: ask the kernel for its fitted models and input
 * examples, show the dialog, ask the kernel what the registration would change (a signature
 * that differs from the newest version's is confirmed first), register in the kernel, then
 * offer to open the new version.
 */
import { Notification, showErrorMessage, ToolbarButton } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { askRegistration } from './RegisterDialog';
import { checkInKernel, fetchCandidates, IRegisterRequest, registerInKernel } from './kernelBridge';
import { confirmSignatureChange } from './SignatureChangeDialog';

export const TOOLBAR_ITEM = 'mlops-lab-register-model';

/** Where the dialog's links and the new version lead. */
export interface IRegisterLinks {
  openVersion: (name: string, version: number) => void;
  openRun: (runId: string, name?: string) => void;
}

export function createRegisterButton(panel: NotebookPanel, links: IRegisterLinks): ToolbarButton {
  return new ToolbarButton({
    className: 'mlops-lab-register-button',
    label: 'Register model',
    tooltip: 'Register a fitted model from this notebook’s kernel in the model registry',
    onClick: () => void registerFromKernel(panel, links)
  });
}

export async function registerFromKernel(
  panel: NotebookPanel,
  links: IRegisterLinks
): Promise<void> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    await showErrorMessage('Register model', 'Start the notebook’s kernel and run the cell that fits the model first.');
    return;
  }
  let candidates;
  try {
    candidates = await fetchCandidates(kernel);
  } catch (error) {
    await showErrorMessage('Register model', (error as Error).message);
    return;
  }
  if (candidates.models.length === 0) {
    await showErrorMessage(
      'Register model',
      'No fitted scikit-learn model was found in the kernel. Run the cell that fits it, then try again.'
    );
    return;
  }
  let request: IRegisterRequest | null = null;
  let problem: string | null = null;
  for (;;) {
    request = await askRegistration(candidates, request, problem, links.openRun);
    if (request === null) {
      return;
    }
    let result;
    try {
      // Asked first: a difference the user should see is shown before anything is registered.
      const check = await checkInKernel(kernel, request);
      if (!check.ok) {
        problem = check.error ?? 'The kernel could not check the registration.';
        continue;
      }
      problem = null;
      const change = check.signature_change;
      if (change && !(await confirmSignatureChange(change, request.name))) {
        continue;
      }
      result = await registerInKernel(kernel, request);
    } catch (error) {
      problem = (error as Error).message;
      continue;
    }
    if (!result.ok || result.name === undefined || result.version === undefined) {
      problem = result.error ?? 'The kernel could not register the model.';
      continue;
    }
    const { name, version } = result;
    const lineage = result.note ? ` without a run: ${result.note}` : '';
    Notification.success(`Registered ${name} version ${version}${lineage}`, {
      autoClose: false, // it holds a link: it stays until dismissed or followed
      actions: [
        {
          label: 'Open in Models',
          caption: 'Open the new version in the MLOps Lab Models view',
          callback: () => links.openVersion(name, version)
        }
      ]
    });
    return;
  }
}
