/**
 * A run's artifacts, each a same-origin download link.
 */
import React from 'react';
import { artifactUrl, IArtifact } from './api';
import { formatBytes } from '../format';

export function ArtifactList(props: { runId: string; artifacts: IArtifact[] | null }): JSX.Element {
  const { artifacts } = props;
  if (artifacts === null) {
    return <p className="mlops-lab-muted">Loading artifacts…</p>;
  }
  if (artifacts.length === 0) {
    return <p className="mlops-lab-muted">No artifacts.</p>;
  }
  return (
    <table className="mlops-lab-kv" data-testid="mlops-lab-artifacts">
      <tbody>
        {artifacts.map(artifact => (
          <tr key={artifact.path}>
            <th scope="row">
              <a
                href={artifactUrl(props.runId, artifact.path)}
                download={artifact.path.split('/').pop()}
                title={`Download ${artifact.path}`}
              >
                {artifact.path}
              </a>
            </th>
            <td>
              {formatBytes(artifact.size)}
              {artifact.media_type ? ` · ${artifact.media_type}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
