import React from 'react';

/** A DAG run's or step's status as a small pill with a coloured dot. */
export function DagStatus(props: { status: string }): JSX.Element {
  const status = props.status.toLowerCase();
  return (
    <span className={`mlops-lab-status mlops-lab-dag-status-${status}`} title={props.status}>
      <span className="mlops-lab-status-dot" />
      {status}
    </span>
  );
}
