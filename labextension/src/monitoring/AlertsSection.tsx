/**
 * The alerts in the Monitoring tab: a state filter (open by default), and Acknowledge /
 * Resolve, each asking for an optional note; the list loads again on the server's answer.
 * A server without the alerts routes gets a quiet line, not an error.
 */
import React, { useEffect, useState } from 'react';
import { absoluteTime, relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { ErrorBanner } from '../common/ErrorBanner';
import { ListCutNote } from '../common/ListCutNote';
import { PanelList } from '../common/PanelList';
import { StatusBadge } from '../common/StatusBadge';
import { askNote } from './alertDialogs';
import { AlertState, IAlert, listAlerts, moveAlert } from './api';

type StateFilter = AlertState | 'all';
const FILTERS: StateFilter[] = ['open', 'acknowledged', 'resolved', 'all'];

const HOW =
  'Alerts open when a monitor run breaks an alert rule: ml.create_alert_rule("income drift", ' +
  '"feature_drift") or `mlops-lab alerts rules create "income drift" feature_drift`.';

const EMPTY: Record<StateFilter, string> = {
  open: `No open alerts. ${HOW}`,
  acknowledged: 'No acknowledged alerts: acknowledge an open one to say it is being looked at.',
  resolved: 'No resolved alerts yet.',
  all: `No alerts yet. ${HOW}`
};

/** The alert a link asked for: `asked` counts the requests, so asking again shows it again. */
export interface IAlertFocus {
  id: number;
  asked: number;
}

export function AlertsSection(props: {
  visible: boolean;
  refreshInterval: number;
  onChanged: () => void;
  focus?: IAlertFocus | null;
}): JSX.Element {
  const [state, setState] = useState<StateFilter>('open');
  // A linked alert may be resolved by now: list them all.
  useEffect(() => {
    if (props.focus) {
      setState('all');
    }
  }, [props.focus]);
  const [unavailable, setUnavailable] = useState(false);
  const polled = usePolling(
    () =>
      listAlerts(state === 'all' ? null : state).then(found => {
        setUnavailable(found === null);
        return found;
      }),
    [state],
    // A server without alerts is not asked again until the page loads again.
    { visible: props.visible, refreshInterval: unavailable ? 0 : props.refreshInterval }
  );
  const { error, setError, reload } = polled;
  const page = polled.data;
  const [busy, setBusy] = useState<number | null>(null);

  const move = async (alert: IAlert, action: 'acknowledge' | 'resolve') => {
    const note = await askNote(action === 'acknowledge' ? 'Acknowledge' : 'Resolve', alert.message);
    if (note === null) {
      return;
    }
    setBusy(alert.id);
    try {
      await moveAlert(alert.id, action, note);
      props.onChanged();
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(null);
      reload();
    }
  };

  return (
    <>
      <div className="mlops-lab-pipelines-toolbar">
        <span className="mlops-lab-pipelines-heading">Alerts</span>
        {!unavailable && (
          <select
            className="jp-mod-styled mlops-lab-alert-filter"
            data-testid="mlops-lab-alert-filter"
            aria-label="Show alerts in this state"
            value={state}
            onChange={event => setState(event.target.value as StateFilter)}
          >
            {FILTERS.map(filter => (
              <option key={filter} value={filter}>
                {filter}
              </option>
            ))}
          </select>
        )}
      </div>
      <ErrorBanner message={error} />
      {unavailable ? (
        <p
          className="mlops-lab-muted mlops-lab-alerts-unavailable"
          data-testid="mlops-lab-alerts-unavailable"
        >
          Alerts unavailable: this server has no alerts yet.
        </p>
      ) : (
        <PanelList
          className="mlops-lab-alerts"
          items={page?.items ?? null}
          itemKey={alert => alert.id}
          listClassName="mlops-lab-alerts-list"
          testId="mlops-lab-alerts-list"
          emptyTestId="mlops-lab-alerts-empty"
          empty={error ? null : EMPTY[state]}
          footer={<ListCutNote page={page} what="alerts" />}
          rowHeight={72}
          renderItem={alert => (
            <AlertRow
              alert={alert}
              focused={props.focus?.id === alert.id}
              busy={busy === alert.id}
              onAcknowledge={() => void move(alert, 'acknowledge')}
              onResolve={() => void move(alert, 'resolve')}
            />
          )}
        />
      )}
    </>
  );
}

function AlertRow(props: {
  alert: IAlert;
  focused: boolean;
  busy: boolean;
  onAcknowledge: () => void;
  onResolve: () => void;
}): JSX.Element {
  const { alert } = props;
  const model = alert.model_name ?? alert.model ?? null;
  const about = [
    model && alert.alias ? `${model}@${alert.alias}` : model,
    alert.feature ? `feature ${alert.feature}` : null
  ]
    .filter(Boolean)
    .join(' · ');
  const who =
    alert.state === 'resolved'
      ? `resolved by ${alert.resolved_by ?? '?'} ${relativeTime(alert.resolved_at)}`
      : alert.state === 'acknowledged'
      ? `acknowledged by ${alert.acknowledged_by ?? '?'} ${relativeTime(alert.acknowledged_at)}`
      : null;
  return (
    <div
      className={`mlops-lab-alert-row mlops-lab-alert-${alert.severity}${
        props.focused ? ' mlops-lab-focused' : ''
      }`}
      data-testid="mlops-lab-alert-row"
      data-alert={alert.id}
      data-state={alert.state}
    >
      <div className="mlops-lab-monitor-row-top">
        <StatusBadge status={alert.state} testId="mlops-lab-alert-state" />
        <span className="mlops-lab-alert-severity">{alert.severity}</span>
        <span className="mlops-lab-monitor-when" title={absoluteTime(alert.last_seen_at)}>
          {relativeTime(alert.last_seen_at)}
          {alert.times_seen > 1 ? ` · seen ${alert.times_seen}×` : ''}
        </span>
      </div>
      <div className="mlops-lab-alert-message" title={alert.message}>
        {alert.message}
      </div>
      {about && <div className="mlops-lab-alert-about">{about}</div>}
      {who && (
        <div className="mlops-lab-alert-about" data-testid="mlops-lab-alert-who">
          {who}
          {alert.note ? `: ${alert.note}` : ''}
        </div>
      )}
      {alert.state !== 'resolved' && (
        <div className="mlops-lab-schedule-actions">
          {alert.state === 'open' && (
            <button
              className="mlops-lab-link-button"
              data-testid="mlops-lab-alert-acknowledge"
              disabled={props.busy}
              onClick={props.onAcknowledge}
            >
              Acknowledge
            </button>
          )}
          <button
            className="mlops-lab-link-button"
            data-testid="mlops-lab-alert-resolve"
            disabled={props.busy}
            onClick={props.onResolve}
          >
            Resolve
          </button>
        </div>
      )}
    </div>
  );
}
