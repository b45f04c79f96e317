/**
 * "Register model" in the notebook toolbar: ask the kernel for its fitted models and input
 * examples, show the dialog, register in the kernel, then offer to open the new version.
 */
import { Notification, showErrorMessage, ToolbarButton } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { askRegistration } from './RegisterDialog';
import { fetchCandidates, IRegisterRequest, registerInKernel } from './kernelBridge';

export const TOOLBAR_ITEM = 'mlops-lab-register-model';

export function createRegisterButton(
  panel: NotebookPanel,
  openVersion: (name: string, version: number) => void
): ToolbarButton {
  return new ToolbarButton({
    className: 'mlops-lab-register-button',
    label: 'Register model',
    tooltip: 'Register a fitted model from this notebook’s kernel in the model registry',
    onClick: () => void registerFromKernel(panel, openVersion)
  });
}

export async function registerFromKernel(
  panel: NotebookPanel,
  openVersion: (name: string, version: number) => void
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
    request = await askRegistration(candidates, request, problem);
    if (request === null) {
      return;
    }
    let result;
    try {
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
          callback: () => openVersion(name, version)
        }
      ]
    });
    return;
  }
}
