/**
 * Where a run ran: Python, platform, git state, random seeds, installed packages.
 */
import React from 'react';
import { IRunEnvironment } from './api';
import { KeyValueTable } from '../common/KeyValueTable';

function gitText(env: IRunEnvironment): React.ReactNode {
  const git = env.git;
  if (!git) {
    return <span className="mlops-lab-muted">not a git repository</span>;
  }
  return (
    <>
      <code title={git.commit}>{git.commit ? git.commit.slice(0, 10) : '?'}</code>
      {git.branch ? ` on ${git.branch}` : ''}
      {git.dirty && (
        <span className="mlops-lab-chip mlops-lab-chip-warn" title={git.diff_hash}>
          uncommitted changes
        </span>
      )}
    </>
  );
}

export function RunEnvironment(props: { environment: IRunEnvironment | undefined }): JSX.Element {
  const env = props.environment ?? {};
  if (Object.keys(env).length === 0) {
    return <p className="mlops-lab-muted">No environment was recorded for this run.</p>;
  }
  const seeds = Object.entries(env.seeds ?? {})
    .map(([name, seed]) => `${name}=${JSON.stringify(seed)}`)
    .join(', ');
  const packages = Object.entries(env.packages ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const rows: [string, React.ReactNode][] = [];
  if (env.python) {
    rows.push(['Python', env.python]);
  }
  if (env.platform) {
    rows.push(['Platform', env.platform]);
  }
  rows.push(['Git', gitText(env)]);
  if (seeds) {
    rows.push(['Seeds', seeds]);
  }
  return (
    <div data-testid="mlops-lab-environment">
      <KeyValueTable rows={rows} empty="" />
      {packages.length > 0 && (
        <details className="mlops-lab-packages">
          <summary>
            {packages.length} {packages.length === 1 ? 'package' : 'packages'}
          </summary>
          <KeyValueTable rows={packages} empty="" />
        </details>
      )}
    </div>
  );
}
