/**
 * "Run as pipeline": read the notebook's parameters, ask for their values in a form, start the
 * pipeline run, and say so with a notification that opens the run.
 */
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { notebookParameters, startPipelineRun } from './api';
import { ParametersBody } from './ParametersForm';
import { fileName, openPipelineRun } from './shared';

export async function runAsPipeline(path: string): Promise<void> {
  let params;
  try {
    params = await notebookParameters(path);
  } catch (error) {
    await showErrorMessage('Run as pipeline', (error as Error).message);
    return;
  }
  const body = new ParametersBody(params);
  const result = await showDialog({
    title: `Run ${fileName(path)} as a pipeline`,
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
    focusNodeSelector: 'input'
  });
  if (!result.button.accept) {
    return;
  }
  const form = result.value ?? { values: {}, error: null };
  if (form.error) {
    await showErrorMessage('Run as pipeline', form.error);
    return;
  }
  const values = form.values;
  try {
    const run = await startPipelineRun(path, values);
    const failed = run.status === 'FAILED';
    Notification.emit(
      failed
        ? `Pipeline run of ${fileName(path)} failed: ${run.error ?? ''}`
        : `Pipeline run of ${fileName(path)} started.`,
      failed ? 'error' : 'success',
      {
        autoClose: failed ? false : 8000,
        actions: [
          {
            label: 'Open pipeline run',
            callback: () => openPipelineRun(run.id)
          }
        ]
      }
    );
  } catch (error) {
    await showErrorMessage('Run as pipeline', (error as Error).message);
  }
}
