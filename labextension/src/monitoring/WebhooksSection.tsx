/**
 * The webhooks in the Monitoring tab, each with how its deliveries stand: a receiver that is
 * down shows as failing with its last error, where people look, not only in the server log.
 * "Send test" sends a test event now and says what came back.
 */
import React, { useState } from 'react';
import { absoluteTime } from '../format';
import { usePolling } from '../usePolling';
import { ErrorBanner } from '../common/ErrorBanner';
import { StatusBadge } from '../common/StatusBadge';
import { IWebhook, IWebhookDelivery, listWebhooks, testWebhook } from './api';

const HOW =
  "No webhooks: alerts are kept here. To have them sent, ml.create_webhook('ops', " +
  "'https://…', secret=…) or `mlops-lab webhooks create ops URL --secret-env KEY`.";

export function WebhooksSection(props: {
  visible: boolean;
  refreshInterval: number;
}): JSX.Element | null {
  const [unavailable, setUnavailable] = useState(false);
  const polled = usePolling(
    () =>
      listWebhooks().then(found => {
        setUnavailable(found === null);
        return found;
      }),
    [],
    { visible: props.visible, refreshInterval: unavailable ? 0 : props.refreshInterval }
  );
  const { data: page, error, setError, reload } = polled;
  const [tested, setTested] = useState<Record<number, string>>({});

  const sendTest = (hook: IWebhook) => {
    setTested(shown => ({ ...shown, [hook.id]: 'Sending…' }));
    testWebhook(hook.id)
      .then(
        sent => setTested(shown => ({ ...shown, [hook.id]: testOutcome(sent) })),
        reason => setError((reason as Error).message)
      )
      .finally(reload);
  };

  if (unavailable) {
    return null;
  }
  const hooks = page?.items ?? null;
  return (
    <>
      <div className="mlops-lab-pipelines-toolbar">
        <span className="mlops-lab-pipelines-heading">Webhooks</span>
      </div>
      <ErrorBanner message={error} />
      <div className="mlops-lab-webhooks" data-testid="mlops-lab-webhooks">
        {hooks && hooks.length === 0 && !error && (
          <p
            className="mlops-lab-muted mlops-lab-webhooks-empty"
            data-testid="mlops-lab-webhooks-empty"
          >
            {HOW}
          </p>
        )}
        {hooks?.map(hook => (
          <WebhookRow
            key={hook.id}
            hook={hook}
            tested={tested[hook.id] ?? null}
            onTest={() => sendTest(hook)}
          />
        ))}
      </div>
    </>
  );
}

function testOutcome(sent: IWebhookDelivery): string {
  if (sent.status === 'delivered') {
    return `Test delivered (HTTP ${sent.last_status ?? '?'}).`;
  }
  const why = sent.last_error ?? sent.status;
  return `Test not delivered: ${why}; it is tried again with the retries.`;
}

/** "2 delivered · 1 retrying", the states that have any. */
function counts(hook: IWebhook): string {
  const d = hook.deliveries;
  if (!d) {
    return '';
  }
  const parts = (
    [
      ['delivered', d.delivered],
      ['waiting', d.waiting],
      ['retrying', d.retrying],
      ['failed', d.failed]
    ] as [string, number][]
  )
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return parts.join(' · ') || 'nothing sent yet';
}

function WebhookRow(props: {
  hook: IWebhook;
  tested: string | null;
  onTest: () => void;
}): JSX.Element {
  const { hook } = props;
  const health = hook.deliveries;
  const failure = health?.failing ? health.last_failure : null;
  return (
    <div
      className={`mlops-lab-webhook-row${failure ? ' mlops-lab-webhook-failing' : ''}`}
      data-testid="mlops-lab-webhook-row"
      data-webhook={hook.name}
    >
      <div className="mlops-lab-monitor-row-top">
        <span className="mlops-lab-monitor-name" title={hook.url}>
          {hook.name}
        </span>
        {health && (
          <StatusBadge
            status={health.failing ? 'failing' : 'ok'}
            testId="mlops-lab-webhook-status"
          />
        )}
        <button
          className="mlops-lab-link-button mlops-lab-webhook-test"
          data-testid="mlops-lab-webhook-test"
          title={`Send a test event to ${hook.url} now`}
          onClick={props.onTest}
        >
          Send test
        </button>
      </div>
      <div className="mlops-lab-alert-about" title={hook.url}>
        {hook.url}
        {hook.has_secret ? ' · signed' : ' · unsigned'}
      </div>
      <div className="mlops-lab-alert-about" data-testid="mlops-lab-webhook-counts">
        {counts(hook)}
      </div>
      {failure && (
        <div className="mlops-lab-webhook-error" data-testid="mlops-lab-webhook-error">
          Delivery {failure.id} ({failure.event}, {failure.attempts}{' '}
          {failure.attempts === 1 ? 'attempt' : 'attempts'}
          {failure.status === 'pending' && failure.next_attempt_at
            ? `, tried again at ${absoluteTime(failure.next_attempt_at)}`
            : failure.status === 'failed'
            ? ', given up'
            : ''}
          ): <span title={absoluteTime(failure.created_at)}>{failure.last_error}</span>
        </div>
      )}
      {props.tested && (
        <div className="mlops-lab-alert-about" role="status" data-testid="mlops-lab-webhook-tested">
          {props.tested}
        </div>
      )}
    </div>
  );
}
