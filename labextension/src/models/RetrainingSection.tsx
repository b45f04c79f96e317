/**
 * A model's continuous training: its retraining rules (pause / resume, Fire now, Delete, New)
 * and their firings newest first, each as the chain trigger → pipeline run → version → gate →
 * outcome. One poll asks twice: the model's rules and its newest firings.
 */
import React, { useEffect, useRef, useState } from 'react';
import { showDialog, Dialog } from '@jupyterlab/apputils';
import { ErrorBanner } from '../common/ErrorBanner';
import { Section } from '../common/Section';
import { usePolling } from '../usePolling';
import { FiringChain } from './FiringChain';
import { askNewRetrainingRule } from './newRetrainingRuleDialog';
import { RetrainingRuleRow } from './RetrainingRuleRow';
import {
  deleteRule,
  fireRule,
  IRetraining,
  IRetrainingRule,
  loadRetraining,
  setRuleEnabled
} from './retrainingApi';

function Empty(props: { model: string }): JSX.Element {
  return (
    <p className="mlops-lab-muted" data-testid="mlops-lab-retraining-empty">
      No retraining rule yet. A rule runs a notebook pipeline that calls{' '}
      <code>ml.register_model</code> when an alert opens, a dataset gets a new snapshot or a
      schedule comes round, then gates the new version against the champion and moves the alias
      when it is better. In Python:{' '}
      <code>
        ml.create_retraining_rule("{props.model}-on-drift", "{props.model}", "retrain.ipynb",
        on="alert", gate={'{'}"data": "holdout", "label": "y"{'}'})
      </code>
      ; in a terminal:{' '}
      <code>
        mlops-lab retrain create {props.model}-on-drift --model {props.model} --notebook
        retrain.ipynb --on alert --gate-data holdout --gate-label y
      </code>
      .
    </p>
  );
}

async function confirmDelete(rule: IRetrainingRule): Promise<boolean> {
  const result = await showDialog({
    title: `Delete retraining rule ${rule.name}?`,
    body: 'Its firings are forgotten too; the versions and pipeline runs they made stay.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  return result.button.accept;
}

/** A firing whose retraining runs, or whose gate does: it may still end. */
function isBusy(status: string): boolean {
  return status === 'running' || status === 'judging';
}

export function RetrainingSection(props: {
  model: string;
  visible: boolean;
  refreshInterval: number;
  onOpenNotebook: (path: string) => void;
  onSelectVersion: (version: number) => void;
  gateLink: (id: number) => React.ReactNode;
  /** A retraining ended (a version or an alias move may be new): the view loads again. */
  onEnded: () => void;
}): JSX.Element {
  const polled = usePolling(() => loadRetraining(props.model), [props.model], {
    visible: props.visible,
    refreshInterval: props.refreshInterval
  });
  const { error, setError, reload } = polled;
  const data: IRetraining | null = polled.data;
  const [busy, setBusy] = useState<string | null>(null);

  // Firings seen running: when one has ended since, the rest of the view is out of date.
  const running = useRef<Set<number>>(new Set());
  useEffect(() => {
    const firings = data?.firings.items ?? [];
    const ended = firings.some(f => !isBusy(f.status) && running.current.has(f.id));
    running.current = new Set(firings.filter(f => isBusy(f.status)).map(f => f.id));
    if (ended) {
      props.onEnded();
    }
  }, [data]);

  const act = async (rule: string, work: () => Promise<unknown>) => {
    setBusy(rule);
    try {
      await work();
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(null);
      reload();
    }
  };

  const remove = async (rule: IRetrainingRule) => {
    if (await confirmDelete(rule)) {
      await act(rule.name, () => deleteRule(rule.name));
    }
  };

  const create = async () => {
    if (await askNewRetrainingRule(props.model)) {
      reload();
    }
  };

  const rules = data?.rules ?? [];
  const firings = data?.firings.items ?? [];
  return (
    <Section title="Retraining" testId="mlops-lab-retraining">
      <div className="mlops-lab-retraining-toolbar">
        <button
          className="jp-mod-styled mlops-lab-small-button"
          data-testid="mlops-lab-retraining-new"
          onClick={() => void create()}
        >
          New retraining rule…
        </button>
      </div>
      <ErrorBanner message={error} />
      {data === null ? (
        <p className="mlops-lab-muted">{error ? '' : 'Loading…'}</p>
      ) : rules.length === 0 ? (
        <Empty model={props.model} />
      ) : (
        <table className="mlops-lab-history-table mlops-lab-retraining-rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Watches</th>
              <th>Notebook</th>
              <th>Gate</th>
              <th>Cooldown</th>
              <th>Enabled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map(rule => (
              <RetrainingRuleRow
                key={rule.id}
                rule={rule}
                busy={busy === rule.name}
                onOpenNotebook={props.onOpenNotebook}
                onEnable={enabled => void act(rule.name, () => setRuleEnabled(rule.name, enabled))}
                onFire={() => void act(rule.name, () => fireRule(rule.name))}
                onDelete={() => void remove(rule)}
              />
            ))}
          </tbody>
        </table>
      )}
      {firings.length > 0 && (
        <>
          <h4 className="mlops-lab-retraining-heading">Firings, newest first</h4>
          <ul className="mlops-lab-firings" data-testid="mlops-lab-firings">
            {firings.map(firing => (
              <FiringChain
                key={firing.id}
                firing={firing}
                onSelectVersion={props.onSelectVersion}
                gateLink={props.gateLink}
              />
            ))}
          </ul>
          {data?.firings.truncated && (
            <p className="mlops-lab-muted">
              Showing the newest {firings.length} firings;{' '}
              <code>mlops-lab retrain show RULE</code> lists a rule's.
            </p>
          )}
        </>
      )}
    </Section>
  );
}
