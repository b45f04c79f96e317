/**
 * A run's artifacts: each opens its preview below it (ArtifactPreview), and downloads by its
 * link (same origin, the server's download route).
 */
import React, { useState } from 'react';
import { artifactUrl, IArtifact } from './api';
import { ArtifactPreview } from './ArtifactPreview';
import { formatBytes } from '../format';

export function ArtifactList(props: {
  runId: string;
  artifacts: IArtifact[] | null;
}): JSX.Element {
  const { artifacts } = props;
  const [open, setOpen] = useState<Set<string>>(new Set());
  if (artifacts === null) {
    return <p className="mlops-lab-muted">Loading artifacts…</p>;
  }
  if (artifacts.length === 0) {
    return <p className="mlops-lab-muted">No artifacts.</p>;
  }
  const toggle = (path: string) =>
    setOpen(shown => {
      const next = new Set(shown);
      if (!next.delete(path)) {
        next.add(path);
      }
      return next;
    });
  return (
    <table className="mlops-lab-kv mlops-lab-artifacts" data-testid="mlops-lab-artifacts">
      <tbody>
        {artifacts.map(artifact => (
          <React.Fragment key={artifact.path}>
            <tr data-artifact={artifact.path}>
              <th scope="row">
                <button
                  className="mlops-lab-link-button mlops-lab-artifact-toggle"
                  data-testid="mlops-lab-artifact-toggle"
                  aria-expanded={open.has(artifact.path)}
                  title={open.has(artifact.path) ? 'Hide the preview' : 'Show a preview'}
                  onClick={() => toggle(artifact.path)}
                >
                  {open.has(artifact.path) ? '▾' : '▸'} {artifact.path}
                </button>
              </th>
              <td>
                {formatBytes(artifact.size)}
                {artifact.media_type ? ` · ${artifact.media_type}` : ''} ·{' '}
                <a
                  href={artifactUrl(props.runId, artifact.path)}
                  download={artifact.path.split('/').pop()}
                  title={`Download ${artifact.path}`}
                >
                  Download
                </a>
              </td>
            </tr>
            {open.has(artifact.path) && (
              <tr className="mlops-lab-artifact-preview-row">
                <td colSpan={2}>
                  <ArtifactPreview runId={props.runId} path={artifact.path} />
                </td>
              </tr>
            )}
          </React.Fragment>
        ))}
      </tbody>
    </table>
  );
}
