/**
 * What a main-area view shows until its data is there: the server's error message, or
 * "Loading …".
 */
import React from 'react';

export function ViewStatus(props: { error: string | null; what: string }): JSX.Element {
  if (props.error) {
    return (
      <div className="mlops-lab-view">
        <div className="mlops-lab-banner" role="alert">
          {props.error}
        </div>
      </div>
    );
  }
  return <div className="mlops-lab-view mlops-lab-muted">Loading {props.what}…</div>;
}
