/**
 * A model in the main area: its versions with metrics, its aliases with promote / rollback /
 * delete (each asks for a reason), the audited alias history, and the selected version's
 * lineage, model card and try-it.
 */
import React, { useEffect, useState } from 'react';
import { InputDialog } from '@jupyterlab/apputils';
import { ApiError } from '../request';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { TryIt } from '../serving/TryIt';
import {
  ALIAS_PATTERN,
  deleteAlias,
  getAliases,
  getModel,
  getVersion,
  IAliasMove,
  IModel,
  IModelVersion,
  IModelVersionDetail,
  listVersions,
  setAlias
} from './api';
import { Lineage } from './Lineage';
import { Markdown } from './Markdown';
import { Section } from '../common/Section';
import { ViewStatus } from '../common/ViewStatus';

export interface IModelViewProps {
  name: string;
  version: number | null;
  onSelectVersion: (version: number) => void;
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
}

const SUGGESTED_ALIASES = ['champion', 'challenger', 'production'];
const METRIC_COLUMNS = 6;


/** Asks why; null when cancelled. */
async function askReason(title: string): Promise<string | null> {
  const result = await InputDialog.getText({
    title,
    label: 'Reason (kept in the alias history)',
    placeholder: 'e.g. better AUC on last week’s data',
    okLabel: 'Confirm'
  });
  return result.button.accept ? (result.value ?? '').trim() : null;
}

async function askAlias(version: number): Promise<string | null> {
  const result = await InputDialog.getItem({
    title: `Set an alias on version ${version}`,
    label: 'Alias (letters, digits, _ . -)',
    items: SUGGESTED_ALIASES,
    editable: true,
    okLabel: 'Next'
  });
  return result.button.accept ? (result.value ?? '').trim() : null;
}

/** The version an alias pointed at before its latest move there, for "Roll back". */
function previousVersion(history: IAliasMove[], alias: string, current: number): number | null {
  const last = history.find(move => move.alias === alias && move.to_version === current);
  return last?.from_version ?? null;
}

export function ModelView(props: IModelViewProps): JSX.Element {
  const { name } = props;
  const [model, setModel] = useState<IModel | null>(null);
  const [versions, setVersions] = useState<IModelVersion[]>([]);
  const [history, setHistory] = useState<IAliasMove[]>([]);
  const [detail, setDetail] = useState<IModelVersionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = () => setTick(n => n + 1);

  useEffect(() => {
    let live = true;
    Promise.all([getModel(name), listVersions(name), getAliases(name)]).then(
      ([m, v, a]) => {
        if (live) {
          setModel(m);
          setVersions(v);
          setHistory(a.history);
          setError(null);
        }
      },
      (reason: ApiError) => live && setError(reason.message)
    );
    return () => {
      live = false;
    };
    // A version chosen from outside (a new registration, a link) may be new: load the lists too.
  }, [name, tick, props.version]);

  const selected = props.version ?? model?.latest_version ?? null;

  useEffect(() => {
    if (selected === null) {
      return;
    }
    let live = true;
    getVersion(name, selected).then(
      found => live && setDetail(found),
      (reason: ApiError) => live && setError(reason.message)
    );
    return () => {
      live = false;
    };
  }, [name, selected, tick]);

  const act = async (work: () => Promise<IAliasMove>) => {
    try {
      const move = await work();
      setNotice(
        move.to_version === null
          ? `Deleted @${move.alias} (was version ${move.from_version}).`
          : `@${move.alias} now points at version ${move.to_version}.`
      );
    } catch (reason) {
      setNotice(null);
      setError((reason as Error).message);
    }
    reload();
  };

  const promote = async (alias: string, version: number) => {
    const reason = await askReason(`Point @${alias} at version ${version}`);
    if (reason !== null) {
      await act(() => setAlias(name, alias, version, reason));
    }
  };

  const promoteAsk = async (version: number) => {
    const alias = await askAlias(version);
    if (alias === null) {
      return;
    }
    if (!ALIAS_PATTERN.test(alias) || /^\d+$/.test(alias)) {
      setError(`"${alias}" is not an alias: use 1 to 64 letters, digits, _ . or -.`);
      return;
    }
    await promote(alias, version);
  };

  const remove = async (alias: string) => {
    const reason = await askReason(`Delete @${alias}`);
    if (reason !== null) {
      await act(() => deleteAlias(name, alias, reason));
    }
  };

  if (!model) {
    return <ViewStatus error={error} what="model" />;
  }

  const metricKeys = [...new Set(versions.flatMap(v => Object.keys(v.metrics)))]
    .sort()
    .slice(0, METRIC_COLUMNS);
  const aliases = Object.entries(model.aliases);

  return (
    <div className="mlops-lab-view mlops-lab-model-view" data-testid="mlops-lab-model-view">
      <header className="mlops-lab-view-header">
        <h2 title={model.name} data-testid="mlops-lab-model-title">
          {model.name}
        </h2>
        <span className="mlops-lab-chip">
          {versions.length} {versions.length === 1 ? 'version' : 'versions'}
        </span>
        <button className="mlops-lab-link-button" onClick={reload} title="Load the model again">
          Reload
        </button>
      </header>
      {model.description && <p className="mlops-lab-model-description">{model.description}</p>}
      {error && (
        <div className="mlops-lab-banner" role="alert">
          {error}
          <button className="mlops-lab-link-button" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
      {notice && (
        <div className="mlops-lab-notice" role="status" data-testid="mlops-lab-model-notice">
          {notice}
        </div>
      )}

      <div className="mlops-lab-columns">
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
                            title={`Point @${alias} back at version ${back}`}
                            onClick={() => void promote(alias, back)}
                          >
                            Roll back to {back}
                          </button>
                        )}
                        <button
                          className="jp-mod-styled mlops-lab-small-button"
                          data-testid="mlops-lab-alias-delete"
                          onClick={() => void remove(alias)}
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
                      <td className="mlops-lab-reason">{move.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      </div>

      <Section title="Versions" testId="mlops-lab-model-versions">
        <div className="mlops-lab-history-scroll">
          <table className="mlops-lab-versions-table">
            <thead>
              <tr>
                <th>Version</th>
                <th>Aliases</th>
                <th>Registered</th>
                <th>By</th>
                {metricKeys.map(key => (
                  <th key={key} title={key}>
                    {key}
                  </th>
                ))}
                <th>Run</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {versions.map(v => (
                <tr
                  key={v.version}
                  data-version={v.version}
                  className={v.version === selected ? 'mlops-lab-selected' : ''}
                  data-testid="mlops-lab-version-row"
                  onClick={() => props.onSelectVersion(v.version)}
                >
                  <td>
                    <b>{v.version}</b>
                  </td>
                  <td>
                    {v.aliases.map(alias => (
                      <span className="mlops-lab-alias-chip" key={alias}>
                        @{alias}
                      </span>
                    ))}
                  </td>
                  <td title={absoluteTime(v.created_at)}>{relativeTime(v.created_at)}</td>
                  <td>{v.created_by}</td>
                  {metricKeys.map(key => (
                    <td key={key} className="mlops-lab-num">
                      {formatNumber(v.metrics[key])}
                    </td>
                  ))}
                  <td>
                    {v.run_id && (
                      <button
                        className="mlops-lab-link-button"
                        onClick={event => {
                          event.stopPropagation();
                          props.onOpenRun(v.run_id as string);
                        }}
                      >
                        {v.run_id.slice(0, 8)}
                      </button>
                    )}
                  </td>
                  <td>
                    <button
                      className="jp-mod-styled mlops-lab-small-button"
                      data-testid="mlops-lab-promote"
                      title="Point an alias at this version"
                      onClick={event => {
                        event.stopPropagation();
                        void promoteAsk(v.version);
                      }}
                    >
                      Promote…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      {detail && detail.version === selected && (
        <VersionDetail
          detail={detail}
          onOpenRun={props.onOpenRun}
          onOpenNotebook={props.onOpenNotebook}
        />
      )}
    </div>
  );
}

function VersionDetail(props: {
  detail: IModelVersionDetail;
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
}): JSX.Element {
  const d = props.detail;
  return (
    <div className="mlops-lab-version-detail" data-testid="mlops-lab-version-detail">
      <h3 className="mlops-lab-version-heading" data-testid="mlops-lab-version-heading">
        Version {d.version}
        {d.aliases.map(alias => (
          <span className="mlops-lab-alias-chip" key={alias}>
            @{alias}
          </span>
        ))}
      </h3>
      <dl className="mlops-lab-facts">
        <dt>Class</dt>
        <dd>
          <code>{d.model_class}</code>
        </dd>
        <dt>Format</dt>
        <dd>
          {d.format}
          {d.format === 'pickle' && (
            <span className="mlops-lab-warning"> · loads only with allow_pickle=True</span>
          )}
        </dd>
        <dt>Trusted types</dt>
        <dd>{d.trusted_types.length ? d.trusted_types.join(', ') : 'none needed'}</dd>
        <dt>Registered</dt>
        <dd>
          {absoluteTime(d.created_at)} by {d.created_by}
        </dd>
        {d.description && (
          <>
            <dt>Description</dt>
            <dd>{d.description}</dd>
          </>
        )}
      </dl>
      <Section title="Lineage" testId="mlops-lab-lineage">
        <Lineage
          lineage={d.lineage}
          onOpenRun={props.onOpenRun}
          onOpenNotebook={props.onOpenNotebook}
        />
      </Section>
      <Section title="Try it">
        <TryIt model={d.name} version={d.version} />
      </Section>
      <Section title="Model card" testId="mlops-lab-model-card">
        <Markdown text={d.card} testId="mlops-lab-card" />
      </Section>
    </div>
  );
}
