/**
 * A model in the main area: its versions with metrics, its aliases with promote / rollback /
 * delete (each asks for a reason), the audited alias history, its gates and benchmarks, and
 * the selected version's lineage, model card and try-it, and its retraining rules with their
 * firings. Loaded when opened: the model with its versions and history, its evaluations, the
 * selected version in full; the retraining section polls (two requests) while the view shows.
 */
import React, { useMemo, useState } from 'react';
import { ViewStatus } from '../common/ViewStatus';
import { ON_DEMAND, usePolling } from '../usePolling';
import { AliasesSection, AliasHistory } from './AliasesSection';
import { ModelAlerts } from './ModelAlerts';
import { askAlias, askReason, askRollbackReason } from './aliasDialogs';
import {
  ALIAS_PATTERN,
  deleteAlias,
  getModel,
  getVersion,
  IAliasMove,
  rollbackAlias,
  setAlias
} from './api';
import { IGate, listEvaluations } from './evaluationApi';
import { RetrainingSection } from './RetrainingSection';
import { EvaluationsSection, IEvaluationFocus } from './EvaluationsSection';
import { GateLink } from './GateLink';
import { VersionDetail } from './VersionDetail';
import { VersionsTable } from './VersionsTable';

export interface IModelViewProps {
  name: string;
  version: number | null;
  onSelectVersion: (version: number) => void;
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
  /** An alias moved here: the side panel's list loads again. */
  onChanged: () => void;
  /** Whether the view shows, and seconds between its retraining section's polls. */
  visible: boolean;
  refreshInterval: number;
}

export function ModelView(props: IModelViewProps): JSX.Element {
  const { name } = props;
  const [notice, setNotice] = useState<string | null>(null);
  // A version chosen from outside (a new registration, a link) may be new: load the model too.
  const overview = usePolling(() => getModel(name), [name, props.version], ON_DEMAND);
  const model = overview.data;
  const selected = props.version ?? model?.latest_version ?? null;
  const version = usePolling(
    () => (selected === null ? Promise.resolve(null) : getVersion(name, selected)),
    [name, selected],
    ON_DEMAND
  );
  const detail = version.data;
  // Gates and benchmarks load with the model; a version's gates are picked from them.
  const evaluations = usePolling(() => listEvaluations(name), [name], ON_DEMAND);
  const [focus, setFocus] = useState<IEvaluationFocus | null>(null);
  const showEvaluation = (id: number) => setFocus(last => ({ id, asked: (last?.asked ?? 0) + 1 }));
  const selectedGates = useMemo(
    () =>
      (evaluations.data?.items ?? []).filter(
        (e): e is IGate => e.kind === 'gate' && e.challenger.version === selected
      ),
    [evaluations.data, selected]
  );
  const error = overview.error ?? version.error ?? evaluations.error;
  const setError = overview.setError;
  const reload = () => {
    overview.reload();
    version.reload();
    evaluations.reload();
  };

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
    // On the answer, not at the next tick: this view and the side panel's list.
    reload();
    props.onChanged();
  };

  const promote = async (alias: string, to: number) => {
    const reason = await askReason(`Point @${alias} at version ${to}`);
    if (reason !== null) {
      await act(() => setAlias(name, alias, to, reason));
    }
  };

  const promoteAsk = async (to: number) => {
    const alias = await askAlias(to);
    if (alias === null) {
      return;
    }
    if (!ALIAS_PATTERN.test(alias) || /^\d+$/.test(alias)) {
      setError(`"${alias}" is not an alias: use 1 to 64 letters, digits, _ . or -.`);
      return;
    }
    await promote(alias, to);
  };

  const rollback = async (alias: string, from: number, to: number) => {
    const reason = await askRollbackReason(alias, from, to);
    if (reason !== null) {
      await act(() => rollbackAlias(name, alias, reason));
    }
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
  const versions = model.versions;

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
          <button
            className="mlops-lab-link-button"
            onClick={() => {
              overview.setError(null);
              version.setError(null);
              evaluations.setError(null);
            }}
          >
            Dismiss
          </button>
        </div>
      )}
      {notice && (
        <div className="mlops-lab-notice" role="status" data-testid="mlops-lab-model-notice">
          {notice}
        </div>
      )}

      <ModelAlerts alerts={model.alerts} />

      <div className="mlops-lab-columns">
        <AliasesSection
          aliases={model.aliases}
          history={model.history}
          onSelectVersion={props.onSelectVersion}
          onRollback={(alias, from, to) => void rollback(alias, from, to)}
          onDelete={alias => void remove(alias)}
        />
        <AliasHistory
          history={model.history}
          gateLink={id => (
            <GateLink
              id={id}
              evaluations={evaluations.data?.items ?? []}
              onShowEvaluation={showEvaluation}
            />
          )}
        />
      </div>

      <VersionsTable
        versions={versions}
        selected={selected}
        onSelectVersion={props.onSelectVersion}
        onOpenRun={props.onOpenRun}
        onPromote={to => void promoteAsk(to)}
      />

      <RetrainingSection
        model={name}
        visible={props.visible}
        refreshInterval={props.refreshInterval}
        onOpenNotebook={props.onOpenNotebook}
        onSelectVersion={props.onSelectVersion}
        gateLink={id => (
          <GateLink
            id={id}
            lead=""
            testId="mlops-lab-firing-gate"
            evaluations={evaluations.data?.items ?? []}
            onShowEvaluation={showEvaluation}
          />
        )}
        onEnded={() => {
          reload();
          props.onChanged();
        }}
      />

      <EvaluationsSection
        page={evaluations.data}
        focus={focus}
        onSelectVersion={props.onSelectVersion}
      />

      {detail && detail.version === selected && (
        <VersionDetail
          detail={detail}
          gates={selectedGates}
          onShowEvaluation={showEvaluation}
          onOpenRun={props.onOpenRun}
          onOpenNotebook={props.onOpenNotebook}
        />
      )}
    </div>
  );
}
