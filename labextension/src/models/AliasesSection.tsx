/**
 * A model's aliases with Roll back and Delete, and the audited history of their moves.
 */
import React from 'react';
import { absoluteTime, relativeTime } from '../format';
import { Section } from '../common/Section';
import { IAliasMove } from './api';

/**
 * Where "Roll back" takes an alias: the version it pointed at before its latest move (the
 * history is newest first), or null when that move created it.
 */
function previousVersion(history: IAliasMove[], alias: string, current: number): number | null {
  const latest = history.find(move => move.alias === alias);
  return latest?.to_version === current ? latest.from_version : null;
}

export function AliasesSection(props: {
  aliases: Record<string, number>;
  history: IAliasMove[];
  onSelectVersion: (version: number) => void;
  onRollback: (alias: string, from: number, to: number) => void;
  onDelete: (alias: string) => void;
}): JSX.Element {
  const { history } = props;
  const aliases = Object.entries(props.aliases);
  return (
    <Section title="Aliases" testId="mlops-lab-model-aliases">
      {aliases.length === 0 ? (
        <p className="mlops-lab-muted">No aliases yet: promote a version below.</p>
      ) : (
        <table className="mlops-lab-kv mlops-lab-alias-table">
          <tbody>
            {aliases.map(([alias, version]) => {
              const back = previousVersion(history, alias, version);
              return (
                <tr key={alias} data-alias={alias}>
                  <th scope="row">@{alias}</th>
                  <td>
                    <button
                      className="mlops-lab-link-button"
                      onClick={() => props.onSelectVersion(version)}
                    >
                      version {version}
                    </button>
                    {back !== null && back !== version && (
                      <button
                        className="jp-mod-styled mlops-lab-small-button"
                        data-testid="mlops-lab-alias-rollback"
                        title={`Point @${alias} back at version ${back}, before its latest move`}
                        onClick={() => props.onRollback(alias, version, back)}
                      >
                        Roll back to v{back}
                      </button>
                    )}
                    <button
                      className="jp-mod-styled mlops-lab-small-button"
                      data-testid="mlops-lab-alias-delete"
                      onClick={() => props.onDelete(alias)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function AliasHistory(props: {
  history: IAliasMove[];
  /** What to show for a move a gate made (its link). */
  gateLink?: (evaluationId: number) => React.ReactNode;
}): JSX.Element {
  const { history } = props;
  return (
    <Section title="Alias history" testId="mlops-lab-alias-history">
      {history.length === 0 ? (
        <p className="mlops-lab-muted">No alias was ever set.</p>
      ) : (
        <div className="mlops-lab-history-scroll">
          <table className="mlops-lab-history-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Alias</th>
                <th>From</th>
                <th>To</th>
                <th>Who</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {history.map((move, index) => (
                <tr key={index}>
                  <td title={absoluteTime(move.moved_at)}>{relativeTime(move.moved_at)}</td>
                  <td>@{move.alias}</td>
                  <td>{move.from_version ?? '—'}</td>
                  <td>{move.to_version ?? 'deleted'}</td>
                  <td className="mlops-lab-who" title={move.moved_by}>
                    {move.moved_by}
                  </td>
                  <td className="mlops-lab-reason">
                    {move.reason ?? ''}
                    {move.evaluation_id != null && props.gateLink?.(move.evaluation_id)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
