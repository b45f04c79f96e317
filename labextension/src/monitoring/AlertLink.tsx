/**
 * A link to an alert: "alert #12". The monitoring plugin listens for `a.mlops-lab-alert-link`
 * anywhere in JupyterLab and shows the alert in the Monitoring tab, where alerts are acted on.
 */
import React from 'react';

export function AlertLink(props: { id: number; message: string | null }): JSX.Element {
  return (
    <a
      className="mlops-lab-alert-link"
      data-alert-id={props.id}
      data-testid="mlops-lab-alert-link"
      href={`#mlops-lab/alerts/${props.id}`}
      title={props.message ? `Alert #${props.id}: ${props.message}` : `Alert #${props.id}`}
    >
      alert #{props.id}
    </a>
  );
}
