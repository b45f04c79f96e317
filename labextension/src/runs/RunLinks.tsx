/**
 * A run's inputs and outputs (run links): what it read and made. Snapshot and feature-set
 * links open their views (the datasets and features plugins listen for
 * `a.mlops-lab-snapshot-link` and `a.mlops-lab-feature-set-link`).
 */
import React from 'react';
import { SnapshotLink } from '../common/SnapshotLink';
import { IRunLink } from './api';

const SNAPSHOT_ID = /^[0-9a-f]{32}$/;

function LinkLabel(props: { link: IRunLink }): JSX.Element {
  const { link } = props;
  if (link.kind === 'snapshot' && SNAPSHOT_ID.test(link.ref)) {
    return <SnapshotLink id={link.ref} label={link.label} testId="mlops-lab-run-link-snapshot" />;
  }
  const versionAt = link.label.lastIndexOf('@v'); // feature-set labels are "name@v3"
  if (link.kind === 'feature_set' && versionAt > 0) {
    return (
      <a
        className="mlops-lab-feature-set-link"
        data-feature-set={link.label.slice(0, versionAt)}
        href="#mlops-lab/feature-sets"
        title={`Open feature set ${link.label}`}
      >
        {link.label}
      </a>
    );
  }
  return <span title={link.ref}>{link.label}</span>;
}

export function RunLinks(props: { links: IRunLink[] | undefined }): JSX.Element {
  const links = props.links ?? [];
  if (!links.length) {
    return <p className="mlops-lab-muted">No inputs or outputs recorded.</p>;
  }
  return (
    <table className="mlops-lab-kv mlops-lab-run-links" data-testid="mlops-lab-run-links">
      <thead>
        <tr>
          <th>direction</th>
          <th>kind</th>
          <th>what</th>
        </tr>
      </thead>
      <tbody>
        {links.map(link => (
          <tr key={`${link.direction}-${link.kind}-${link.ref}`}>
            <td>{link.direction}</td>
            <td>{link.kind.replace(/_/g, ' ')}</td>
            <td>
              <LinkLabel link={link} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
