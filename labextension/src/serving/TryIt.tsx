/**
 * "Try it" on a model version: JSON records in, the prediction out (nothing yet).
 */
import React from 'react';

export function TryIt(props: { model: string; version: number }): JSX.Element {
  return <div className="mlops-lab-tryit" data-model={props.model} data-version={props.version} />;
}
