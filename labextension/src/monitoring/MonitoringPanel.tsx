/**
 * The "Monitoring" tab of the side panel: the monitors, each with its newest run's status and
 * drifted features and a "Run now" button, the alerts below, and the webhooks they are sent
 * to with how their deliveries stand. Selecting a monitor opens its view in the main area.
 */
import React, { useState } from 'react';
import { absoluteTime, relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { ErrorBanner } from '../common/ErrorBanner';
import { ListCutNote } from '../common/ListCutNote';
import { PanelList } from '../common/PanelList';
import { StatusBadge } from '../common/StatusBadge';
import { AlertsSection, IAlertFocus } from './AlertsSection';
import { createMonitor, IMonitorListItem, listMonitors, runMonitor } from './api';
import { askNewMonitor } from './newMonitorDialog';
import { WebhooksSection } from './WebhooksSection';

export const NO_MONITORS =
  "No monitors yet: create one with New…, ml.create_monitor('churn@champion') or " +
  '`mlops-lab monitors create churn@champion`.';

export interface IMonitoringPanelProps {
  visible: boolean;
  refreshInterval: number;
  /** Changes when a monitor was run from its view: load again. */
  generation: number;
  onOpen: (monitor: IMonitorListItem) => void;
  /** A monitor was run from the panel (its open view loads again). */
  onRan: (monitor: string) => void;
  /** An alert was acknowledged or resolved (the tab's badge counts again). */
  onAlertsChanged: () => void;
  /** The alert a link asked for. */
  focusedAlert: IAlertFocus | null;
}

export function MonitoringPanel(props: IMonitoringPanelProps): JSX.Element {
  const polled = usePolling(listMonitors, [props.generation], props);
  const { data: page, error, setError, reload } = polled;
  const [running, setRunning] = useState<Set<string>>(new Set());

  const runNow = (name: string) => {
    setRunning(names => new Set(names).add(name));
    // The answer reloads the monitors (and the monitor's open view) through onRan.
    runMonitor(name)
      .then(
        () => props.onRan(name),
        reason => setError((reason as Error).message)
      )
      .finally(() =>
        setRunning(names => {
          const left = new Set(names);
          left.delete(name);
          return left;
        })
      );
  };

  const newMonitor = async () => {
    const spec = await askNewMonitor();
    if (spec) {
      // The server's answer (the monitor, or what is wrong with a field) decides.
      createMonitor(spec).then(reload, reason => setError((reason as Error).message));
    }
  };

  return (
    <div
      className="mlops-lab-panel-body mlops-lab-monitoring-panel"
      data-testid="mlops-lab-monitoring-panel"
    >
      <div className="mlops-lab-pipelines-toolbar">
        <span className="mlops-lab-pipelines-heading">Monitors</span>
        <button
          className="mlops-lab-link-button"
          data-testid="mlops-lab-new-monitor"
          title="Watch a model alias's current data against the data it was trained on"
          onClick={() => void newMonitor()}
        >
          New…
        </button>
        <button className="mlops-lab-link-button" title="Load the monitors again" onClick={reload}>
          Refresh
        </button>
      </div>
      <ErrorBanner message={error} />
      <PanelList
        className="mlops-lab-monitors"
        items={page?.items ?? null}
        itemKey={monitor => monitor.id}
        listClassName="mlops-lab-monitors-list"
        testId="mlops-lab-monitors-list"
        emptyTestId="mlops-lab-monitors-empty"
        empty={error ? null : NO_MONITORS}
        footer={<ListCutNote page={page} what="monitors" />}
        rowHeight={64}
        renderItem={monitor => (
          <MonitorRow
            monitor={monitor}
            running={running.has(monitor.name)}
            onOpen={() => props.onOpen(monitor)}
            onRunNow={() => runNow(monitor.name)}
          />
        )}
      />
      <AlertsSection
        visible={props.visible}
        refreshInterval={props.refreshInterval}
        onChanged={props.onAlertsChanged}
        focus={props.focusedAlert}
      />
      <WebhooksSection visible={props.visible} refreshInterval={props.refreshInterval} />
    </div>
  );
}

function MonitorRow(props: {
  monitor: IMonitorListItem;
  running: boolean;
  onOpen: () => void;
  onRunNow: () => void;
}): JSX.Element {
  const { monitor } = props;
  const last = monitor.last_run;
  return (
    <div
      className="mlops-lab-monitor-row"
      data-testid="mlops-lab-monitor-row"
      data-monitor={monitor.name}
    >
      <button
        className="mlops-lab-monitor-open"
        title={`Open ${monitor.name}`}
        onClick={props.onOpen}
      >
        <span className="mlops-lab-monitor-name">{monitor.name}</span>
        {monitor.name !== monitor.target && (
          <span className="mlops-lab-monitor-target">{monitor.target}</span>
        )}
      </button>
      <button
        className="jp-mod-styled mlops-lab-small-button mlops-lab-run-now"
        data-testid="mlops-lab-monitor-run-now"
        disabled={props.running}
        title={`Compare ${monitor.target}'s current data with its reference now`}
        onClick={props.onRunNow}
      >
        {props.running ? 'Running…' : 'Run now'}
      </button>
      {/* The second line opens the monitor too. */}
      <button className="mlops-lab-monitor-last" tabIndex={-1} onClick={props.onOpen}>
        {last ? (
          <>
            <StatusBadge status={last.status} testId="mlops-lab-monitor-status" />
            {last.drifted_features.length > 0 && (
              <span className="mlops-lab-monitor-drifted" data-testid="mlops-lab-monitor-drifted">
                {last.drifted_features.join(', ')}
              </span>
            )}
            <span className="mlops-lab-monitor-when" title={absoluteTime(last.started_at)}>
              {relativeTime(last.started_at)}
            </span>
          </>
        ) : (
          <span className="mlops-lab-muted">never run: press Run now</span>
        )}
      </button>
    </div>
  );
}
