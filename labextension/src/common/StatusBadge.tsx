import React from 'react';

/**
 * A status (of a run, a pipeline run, a DAG run or step) as a small pill with a coloured dot;
 * the colour comes from the `mlops-lab-status-<status>` class.
 */
export function StatusBadge(props: { status: string; testId?: string }): JSX.Element {
  const status = props.status.toLowerCase();
  // A status of two words ("no data") is one class.
  const kind = status.replace(/\s+/g, '-');
  return (
    <span
      className={`mlops-lab-status mlops-lab-status-${kind}`}
      data-testid={props.testId}
      title={props.status}
    >
      <span className="mlops-lab-status-dot" />
      {status}
    </span>
  );
}
