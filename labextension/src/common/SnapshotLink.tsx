/**
 * A link to a dataset snapshot: the datasets plugin listens for `a.mlops-lab-snapshot-link`
 * anywhere in JupyterLab and opens the snapshot's view.
 */
import React from 'react';

export function SnapshotLink(props: { id: string; label: string; testId?: string }): JSX.Element {
  return (
    <a
      className="mlops-lab-snapshot-link"
      data-snapshot-id={props.id}
      data-testid={props.testId}
      href={`#mlops-lab/snapshots/${props.id}`}
      title={`Open snapshot ${props.label}`}
    >
      {props.label}
    </a>
  );
}
