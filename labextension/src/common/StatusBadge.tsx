import React from 'react';

/**
 * A status (of a run, a pipeline run, a DAG run or step) as a small pill with a coloured dot;
 * the colour comes from the `mlops-lab-status-<status>` class.
 */
export function StatusBadge(props: { status: string; testId?: string }): JSX.Element {
  const status = props.status.toLowerCase();
  return (
    <span
      className={`mlops-lab-status mlops-lab-status-${status}`}
      data-testid={props.testId}
      title={props.status}
    >
      <span className="mlops-lab-status-dot" />
      {status}
    </span>
  );
}
