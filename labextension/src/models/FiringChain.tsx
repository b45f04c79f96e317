/**
 * One retraining firing as the lineage it made: what fired it → the pipeline run → the
 * version it registered → the gate that judged it → the outcome, each a link to its view.
 */
import React from 'react';
import { absoluteTime, relativeTime } from '../format';
import { StatusBadge } from '../common/StatusBadge';
import { SnapshotLink } from '../common/SnapshotLink';
import { openDagRun } from '../dags/open';
import { AlertLink } from '../monitoring/AlertLink';
import { openPipelineRun } from '../pipelines/shared';
import { IFiring, IFiringTrigger } from './retrainingApi';

function Trigger(props: { trigger: IFiringTrigger }): JSX.Element {
  const { trigger } = props;
  const more = trigger.events && trigger.events > 1 ? ` (+${trigger.events - 1} more)` : '';
  let what: React.ReactNode;
  switch (trigger.kind) {
    case 'alert':
      what = <AlertLink id={trigger.alert ?? 0} message={trigger.message ?? null} />;
      break;
    case 'snapshot':
      what = trigger.snapshot_id ? (
        <>
          snapshot{' '}
          <SnapshotLink
            id={trigger.snapshot_id}
            label={trigger.snapshot ?? trigger.snapshot_id}
            testId="mlops-lab-firing-snapshot"
          />
        </>
      ) : (
        <>snapshot <code>{trigger.snapshot}</code></>
      );
      break;
    case 'schedule':
      what = (
        <span title={absoluteTime(trigger.fire_time)}>
          schedule {absoluteTime(trigger.fire_time)}
        </span>
      );
      break;
    default:
      what = <>by hand ({trigger.by ?? '?'})</>;
  }
  return (
    <span className="mlops-lab-firing-step" data-testid="mlops-lab-firing-trigger">
      {what}
      {more}
    </span>
  );
}

const ARROW = <span className="mlops-lab-firing-arrow" aria-hidden="true">→</span>;

/** The run a retraining started (a pipeline run or a DAG run), as a link to its view. */
function RunStep(props: {
  what: string;
  id: string;
  testId: string;
  open: (id: string) => void;
}): JSX.Element {
  return (
    <>
      {ARROW}
      <button
        className="mlops-lab-link-button"
        data-testid={props.testId}
        title={`Open ${props.what} ${props.id}`}
        onClick={() => props.open(props.id)}
      >
        {props.what} {props.id.slice(0, 8)}
      </button>
    </>
  );
}

export function FiringChain(props: {
  firing: IFiring;
  onSelectVersion: (version: number) => void;
  gateLink: (id: number) => React.ReactNode;
}): JSX.Element {
  const { firing } = props;
  const run = firing.pipeline_run_id;
  const dag = firing.dag_run_id;
  return (
    <li
      className="mlops-lab-firing"
      data-testid="mlops-lab-firing"
      data-firing={firing.id}
      data-status={firing.status}
    >
      <div className="mlops-lab-firing-chain">
        <span className="mlops-lab-muted" title={absoluteTime(firing.fired_at)}>
          {firing.rule} · {relativeTime(firing.fired_at)}
        </span>
        <Trigger trigger={firing.trigger} />
        {run && (
          <RunStep
            what="pipeline run"
            id={run}
            testId="mlops-lab-firing-run"
            open={openPipelineRun}
          />
        )}
        {dag && (
          <RunStep what="DAG run" id={dag} testId="mlops-lab-firing-dag" open={openDagRun} />
        )}
        {firing.version !== null && (
          <>
            {ARROW}
            <button
              className="mlops-lab-link-button"
              data-testid="mlops-lab-firing-version"
              title={`Show version ${firing.version}`}
              onClick={() => props.onSelectVersion(firing.version!)}
            >
              v{firing.version}
            </button>
          </>
        )}
        {firing.evaluation_id !== null && (
          <>
            {ARROW}
            {props.gateLink(firing.evaluation_id)}
          </>
        )}
        {ARROW}
        <StatusBadge status={firing.status} testId="mlops-lab-firing-status" />
      </div>
      {firing.message && (
        <div className="mlops-lab-firing-message" data-testid="mlops-lab-firing-message">
          {firing.message}
        </div>
      )}
    </li>
  );
}
