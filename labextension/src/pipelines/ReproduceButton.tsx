/**
 * "Reproduce": check what re-executing a run would start from (input snapshots still there,
 * what changed in the environment), confirm, start it, and open the new pipeline run, whose
 * view then shows the verdict (reproduced, differs, cannot tell) and what differs.
 */
import React, { useState } from 'react';
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { IComparison, IReproductionCheck, checkReproduction, startReproduction } from './api';
import { openPipelineRun, showValue } from './shared';

const VERDICT_TITLE: Record<IComparison['verdict'], string> = {
  reproduced: 'reproduced',
  differs: 'differs',
  'cannot tell': 'cannot tell (nothing recorded to compare)'
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A reproduction's verdict, what was compared, and the table of what differs. */
export function ReproductionVerdict(props: { comparison: IComparison }): JSX.Element {
  const c = props.comparison;
  const counts = Object.entries(c.counts).map(([kind, n]) => plural(n, kind));
  return (
    <section className="mlops-lab-section" data-testid="mlops-lab-pipeline-comparison">
      <h3>Compared with the original: {VERDICT_TITLE[c.verdict]}</h3>
      <p
        className={`mlops-lab-verdict mlops-lab-verdict-${c.verdict.replace(' ', '-')}`}
        data-testid="mlops-lab-reproduce-verdict"
      >
        {c.summary}
      </p>
      <p className="mlops-lab-empty">
        Compared: {counts.join(', ') || 'nothing'}. Numbers are equal within a relative{' '}
        {c.tolerance.rel} or absolute {c.tolerance.abs} difference; masked in text:{' '}
        {c.masked.join(', ')}.
        {c.ignored.length > 0 && ` Left out: ${plural(c.ignored.length, 'timing or ignored name')}.`}
      </p>
      {c.not_compared.map(note => (
        <p key={note}>Not compared: {note}</p>
      ))}
      {c.differences.length > 0 && (
        <table className="mlops-lab-kv">
          <thead>
            <tr>
              <th>What</th>
              <th>Name</th>
              <th>Original</th>
              <th>Reproduction</th>
            </tr>
          </thead>
          <tbody>
            {c.differences.map(row => (
              <tr key={`${row.kind}:${row.name}`}>
                <td>{row.kind}</td>
                <td>{row.name}</td>
                <td>{row.missing === 'before' ? 'not recorded' : showValue(row.before)}</td>
                <td>{row.missing === 'after' ? 'not recorded' : showValue(row.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CheckSummary(props: { check: IReproductionCheck }): JSX.Element {
  const { check } = props;
  const env = check.environment_changes;
  const packages = Object.entries(env?.packages ?? {});
  return (
    <div className="mlops-lab-reproduce-check" data-testid="mlops-lab-reproduce-check">
      <p>
        Re-executes the notebook snapshot of pipeline run {check.original.id.slice(0, 8)} with
        the same parameters.
      </p>
      <h4>Inputs</h4>
      {check.inputs.length === 0 ? (
        <p className="mlops-lab-empty">No input snapshots were recorded.</p>
      ) : (
        <ul>
          {check.inputs.map(input => (
            <li key={`${input.kind}:${input.ref}`}>
              {input.label} ({input.kind}):{' '}
              {input.exists === true ? 'still there' : input.exists === false ? 'GONE' : input.note}
            </li>
          ))}
        </ul>
      )}
      <h4>Environment changes</h4>
      {env === null ? (
        <p className="mlops-lab-empty">The original run recorded no environment.</p>
      ) : Object.keys(env).length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {env.python && <li>Python {env.python.before} → {env.python.after}</li>}
          {env.platform && <li>Platform {env.platform.before} → {env.platform.after}</li>}
          {env.git_commit && (
            <li>
              git commit {(env.git_commit.before ?? '-').slice(0, 10)} →{' '}
              {(env.git_commit.after ?? '-').slice(0, 10)}
            </li>
          )}
          {packages.slice(0, 20).map(([name, change]) => (
            <li key={name}>
              {name} {change.before ?? '-'} → {change.after ?? '-'}
            </li>
          ))}
          {packages.length > 20 && <li>… and {packages.length - 20} more packages</li>}
        </ul>
      )}
      {check.problems.map(problem => (
        <div className="mlops-lab-banner" role="alert" key={problem}>
          {problem}
        </div>
      ))}
    </div>
  );
}

export async function reproduce(runId: string): Promise<void> {
  let check: IReproductionCheck;
  try {
    check = await checkReproduction(runId);
  } catch (error) {
    await showErrorMessage('Reproduce', (error as Error).message);
    return;
  }
  const blocked = check.problems.length > 0;
  const result = await showDialog({
    title: 'Reproduce this run',
    body: <CheckSummary check={check} />,
    buttons: [
      Dialog.cancelButton(),
      Dialog.okButton({ label: blocked ? 'Run anyway' : 'Reproduce', displayType: blocked ? 'warn' : 'default' })
    ]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    const started = await startReproduction(runId, blocked);
    if (started.reproduction) {
      openPipelineRun(started.reproduction.id);
    }
  } catch (error) {
    await showErrorMessage('Reproduce', (error as Error).message);
  }
}

const NOT_REPRODUCIBLE =
  'Not reproducible: only a run made by a pipeline run (or inside one) has a notebook snapshot ' +
  'to re-execute. Run its notebook with “Run as pipeline” to make it reproducible.';

/** The button on a run's view and on a pipeline run's view. A run that cannot be reproduced
 * gets it disabled, with the reason next to it. */
export function ReproduceButton(props: {
  run?: { id: string; tags?: Record<string, string> };
  pipelineRunId?: string;
}): JSX.Element | null {
  const [busy, setBusy] = useState(false);
  const run = props.run;
  const id = props.pipelineRunId ?? run?.id;
  if (!id) {
    return null;
  }
  // A tracked run can be reproduced when a pipeline run made it or it ran inside one: each run
  // made while a pipeline run executes is tagged with it.
  const reproducible =
    props.pipelineRunId !== undefined ||
    run?.tags?.['mlops_lab.kind'] === 'pipeline' ||
    !!run?.tags?.['mlops_lab.pipeline_run'];
  return (
    <>
      <button
        className="jp-mod-styled mlops-lab-button mlops-lab-reproduce-button"
        data-testid="mlops-lab-reproduce"
        disabled={busy || !reproducible}
        aria-describedby={reproducible ? undefined : 'mlops-lab-reproduce-why'}
        title={
          reproducible ? 'Re-execute the same notebook snapshot with the same parameters and compare' : NOT_REPRODUCIBLE
        }
        onClick={() => {
          setBusy(true);
          void reproduce(id).finally(() => setBusy(false));
        }}
      >
        Reproduce
      </button>
      {!reproducible && (
        <span
          id="mlops-lab-reproduce-why"
          className="mlops-lab-muted mlops-lab-reproduce-why"
          data-testid="mlops-lab-reproduce-why"
        >
          {NOT_REPRODUCIBLE}
        </span>
      )}
    </>
  );
}
