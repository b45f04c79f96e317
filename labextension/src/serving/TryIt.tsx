/**
 * "Try it" on a model version: a JSON request in, the prediction out, through the Jupyter
 * server (POST models/{name}/versions/{version}/predict), by the model server's own rules.
 * The textarea starts from the version's input example (the server keeps its first row), or
 * from placeholder values per column for a version registered without one.
 */
import React from 'react';
import { ApiError, requestJson } from '../request';

interface IExample {
  model: string;
  version: number;
  format: string;
  inputs: { name: string; dtype: string }[];
  example: unknown;
}

interface IPrediction {
  predictions: unknown[];
  model: string;
  version: number;
}

type Outcome =
  | { kind: 'none' }
  | { kind: 'result'; prediction: IPrediction }
  | { kind: 'error'; message: string };

function route(model: string, version: number): string[] {
  return ['models', model, 'versions', String(version), 'predict'];
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    return `${error.kind}: ${error.message}`;
  }
  return String(error);
}

export function TryIt(props: { model: string; version: number }): JSX.Element {
  const { model, version } = props;
  const [text, setText] = React.useState('');
  const [inputs, setInputs] = React.useState<IExample['inputs']>([]);
  const [busy, setBusy] = React.useState(false);
  const [outcome, setOutcome] = React.useState<Outcome>({ kind: 'none' });

  React.useEffect(() => {
    let live = true;
    setOutcome({ kind: 'none' });
    requestJson<IExample>(route(model, version))
      .then(doc => {
        if (live) {
          setText(JSON.stringify(doc.example, null, 2));
          setInputs(doc.inputs);
        }
      })
      .catch(error => {
        if (live) {
          setOutcome({ kind: 'error', message: messageOf(error) });
        }
      });
    return () => {
      live = false;
    };
  }, [model, version]);

  const predict = async (): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      setOutcome({ kind: 'error', message: `The request is not valid JSON: ${error}` });
      return;
    }
    setBusy(true);
    try {
      const prediction = await requestJson<IPrediction>(route(model, version), {
        method: 'POST',
        body
      });
      setOutcome({ kind: 'result', prediction });
    } catch (error) {
      setOutcome({ kind: 'error', message: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mlops-lab-tryit" data-model={model} data-version={version}>
      <p className="mlops-lab-tryit-help">
        A JSON object with <code>records</code> (one object per row) or <code>columns</code> (one
        list per column)
        {inputs.length > 0 && (
          <>
            {' '}
            of{' '}
            {inputs.map((c, i) => (
              <React.Fragment key={c.name}>
                {i > 0 && ', '}
                <code>{c.name}</code> ({c.dtype})
              </React.Fragment>
            ))}
          </>
        )}
        .
      </p>
      <textarea
        className="mlops-lab-tryit-input"
        aria-label="Prediction request (JSON)"
        data-testid="mlops-lab-tryit-input"
        spellCheck={false}
        rows={Math.min(16, Math.max(4, text.split('\n').length))}
        value={text}
        onChange={event => setText(event.target.value)}
      />
      <div className="mlops-lab-tryit-actions">
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="mlops-lab-tryit-predict"
          disabled={busy}
          onClick={() => void predict()}
        >
          {busy ? 'Predicting…' : 'Predict'}
        </button>
      </div>
      {outcome.kind === 'result' && (
        <div className="mlops-lab-tryit-result" data-testid="mlops-lab-tryit-result">
          <div className="mlops-lab-tryit-caption">
            Predictions of {outcome.prediction.model} version {outcome.prediction.version}
          </div>
          <pre>{JSON.stringify(outcome.prediction.predictions, null, 2)}</pre>
        </div>
      )}
      {outcome.kind === 'error' && (
        <pre className="mlops-lab-tryit-error" role="alert" data-testid="mlops-lab-tryit-error">
          {outcome.message}
        </pre>
      )}
    </div>
  );
}
