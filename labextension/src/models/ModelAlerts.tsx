/**
 * A model's alerts not yet resolved, in its view (they come with the model, in the same
 * request): where a user already looks. Acknowledging and resolving are in the Monitoring tab.
 */
import React from 'react';
import { relativeTime } from '../format';
import { Section } from '../common/Section';
import { StatusBadge } from '../common/StatusBadge';
import { IAlert } from '../monitoring/api';

export function ModelAlerts(props: { alerts: IAlert[] | undefined }): JSX.Element | null {
  const alerts = props.alerts ?? [];
  if (alerts.length === 0) {
    return null;
  }
  return (
    <Section
      title={`Alerts: ${alerts.length} not resolved (act on them in the Monitoring tab)`}
      testId="mlops-lab-model-alerts"
    >
      <ul className="mlops-lab-model-alerts">
        {alerts.map(alert => (
          <li key={alert.id} data-testid="mlops-lab-model-alert">
            <StatusBadge status={alert.state} /> <strong>{alert.severity}</strong>{' '}
            {alert.message}{' '}
            <span className="mlops-lab-muted">
              {alert.alias ? `@${alert.alias} · ` : ''}
              seen {alert.times_seen}× · {relativeTime(alert.last_seen_at)}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}
