/**
 * "Run as pipeline": read the notebook's parameters, ask for their values in a form, start the
 * pipeline run, and say so with a notification that opens the run. A value the form cannot
 * read, or one the server refuses, opens the form again with what was typed and why.
 */
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookParameter, IPipelineRun, notebookParameters, startPipelineRun } from './api';
import { IField, IFormValue, ParametersBody } from './ParametersForm';
import { fileName, openPipelineRun } from './shared';

export async function runAsPipeline(path: string): Promise<void> {
  let params;
  try {
    params = await notebookParameters(path);
  } catch (error) {
    await showErrorMessage('Run as pipeline', (error as Error).message);
    return;
  }
  const run = await askAndStart(path, params);
  if (run) {
    notifyStarted(path, run);
  }
}

/** The form until its values are readable and the server takes them; null when cancelled. */
async function askAndStart(path: string, params: INotebookParameter[]): Promise<IPipelineRun | null> {
  let fields: IField[] | undefined;
  let problem: string | null = null;
  for (;;) {
    const body: ParametersBody = new ParametersBody(params, fields, problem);
    const result: Dialog.IResult<IFormValue> = await showDialog({
      title: `Run ${fileName(path)} as a pipeline`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept) {
      return null;
    }
    fields = body.typed;
    const form: IFormValue = result.value ?? { values: {}, error: null };
    if (form.error) {
      problem = `Not run: ${form.error}`; // the field says so too
      continue;
    }
    try {
      return await startPipelineRun(path, form.values);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
}

function notifyStarted(path: string, run: IPipelineRun): void {
  const failed = run.status === 'FAILED';
  Notification.emit(
    failed
      ? `Pipeline run of ${fileName(path)} failed: ${run.error ?? ''}`
      : `Pipeline run of ${fileName(path)} started.`,
    failed ? 'error' : 'success',
    {
      autoClose: false, // it holds a link: it stays until dismissed or followed
      actions: [{ label: 'Open pipeline run', callback: () => openPipelineRun(run.id) }]
    }
  );
}
