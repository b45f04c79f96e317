import React from 'react';
import { RunStatus } from '../api';

/** The run status as a small pill with a coloured dot. */
export function StatusBadge(props: { status: RunStatus }): JSX.Element {
  const status = props.status;
  return (
    <span
      className={`mlops-lab-status mlops-lab-status-${status.toLowerCase()}`}
      title={status}
    >
      <span className="mlops-lab-status-dot" />
      {status.toLowerCase()}
    </span>
  );
}
