/**
 * One artifact shown in the run view without a download: text and JSON as written, a table's
 * first rows, a plotly figure, an image, a notebook as static HTML in a sandboxed frame (its
 * scripts never run, it cannot reach the page), or a model file with the cards of the versions
 * registered from it. What the server cut or cannot show, it says.
 */
import React, { useEffect, useState } from 'react';
import { Markdown } from '../models/Markdown';
import { PlotlyChart } from '../common/PlotlyChart';
import { artifactBlob, IArtifactPreview, previewArtifact } from './api';

export function ArtifactPreview(props: { runId: string; path: string }): JSX.Element {
  const [preview, setPreview] = useState<IArtifactPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    previewArtifact(props.runId, props.path).then(
      found => current && setPreview(found),
      reason => current && setError((reason as Error).message)
    );
    return () => {
      current = false;
    };
  }, [props.runId, props.path]);

  if (error) {
    return <p className="mlops-lab-error-text">{error}</p>;
  }
  if (!preview) {
    return <p className="mlops-lab-muted">Loading the preview…</p>;
  }
  return (
    <div
      className="mlops-lab-artifact-preview"
      data-testid="mlops-lab-artifact-preview"
      data-kind={preview.kind}
    >
      {preview.message && <p className="mlops-lab-muted">{preview.message}</p>}
      <Body runId={props.runId} preview={preview} />
      {preview.truncated && (
        <p className="mlops-lab-muted">
          Only the start of the file is shown: download it for the rest.
        </p>
      )}
    </div>
  );
}

function Body(props: { runId: string; preview: IArtifactPreview }): JSX.Element | null {
  const { preview } = props;
  switch (preview.kind) {
    case 'text':
    case 'json':
      return <pre className="mlops-lab-artifact-text">{preview.text}</pre>;
    case 'table':
      return <TablePreview preview={preview} />;
    case 'plotly':
      return (
        <PlotlyChart
          data={preview.figure?.data ?? []}
          layout={{ ...(preview.figure?.layout ?? {}), template: undefined }}
          height={320}
        />
      );
    case 'image':
      return <ImagePreview runId={props.runId} path={preview.path} />;
    case 'notebook':
      return (
        <iframe
          className="mlops-lab-artifact-notebook"
          data-testid="mlops-lab-artifact-notebook"
          title={`Notebook ${preview.path}`}
          sandbox=""
          srcDoc={preview.html}
        />
      );
    case 'model':
      return <ModelPreview preview={preview} />;
    default:
      return null;
  }
}

function TablePreview(props: { preview: IArtifactPreview }): JSX.Element {
  const columns = props.preview.columns ?? [];
  const rows = props.preview.rows ?? [];
  const total = props.preview.total_rows;
  return (
    <>
      <div className="mlops-lab-artifact-table-wrap">
        <table className="mlops-lab-artifact-table">
          <thead>
            <tr>
              {columns.map(column => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {row.map((value, j) => (
                  <td key={j}>{value === null ? '' : String(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mlops-lab-muted">
        {total !== null && total !== undefined
          ? `The first ${rows.length} of ${total.toLocaleString()} rows.`
          : `The first ${rows.length} rows.`}
      </p>
    </>
  );
}

function ImagePreview(props: { runId: string; path: string }): JSX.Element {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let current = true;
    artifactBlob(props.runId, props.path).then(
      blob => {
        if (current) {
          made = URL.createObjectURL(blob);
          setUrl(made);
        }
      },
      reason => current && setError((reason as Error).message)
    );
    return () => {
      current = false;
      if (made) {
        URL.revokeObjectURL(made);
      }
    };
  }, [props.runId, props.path]);
  if (error) {
    return <p className="mlops-lab-error-text">{error}</p>;
  }
  return url ? (
    <img className="mlops-lab-artifact-image" src={url} alt={props.path} />
  ) : (
    <p className="mlops-lab-muted">Loading the image…</p>
  );
}

function ModelPreview(props: { preview: IArtifactPreview }): JSX.Element {
  const versions = props.preview.versions ?? [];
  if (!versions.length) {
    return (
      <p className="mlops-lab-muted">
        A {props.preview.format} model file, not registered: register it with
        ml.register_model(…, run_id=…, artifact='{props.preview.path}').
      </p>
    );
  }
  return (
    <>
      {versions.map(v => (
        <div key={`${v.name}/${v.version}`} className="mlops-lab-artifact-model">
          <p>
            Registered as{' '}
            <a
              className="mlops-lab-model-link"
              data-model={v.name}
              data-version={v.version}
              href={`#mlops-lab/models/${encodeURIComponent(v.name)}/${v.version}`}
            >
              {v.name}/{v.version}
            </a>
            :
          </p>
          <Markdown text={v.card} />
        </div>
      ))}
    </>
  );
}
