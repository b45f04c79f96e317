/**
 * A version's ONNX export, read-only: the file and how it compared with scikit-learn.
 */
import React from 'react';
import { KeyValueTable } from '../common/KeyValueTable';
import { IOnnxExport } from './api';

function tolerance(t: Record<string, number>): string {
  return Object.entries(t)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
}

export function OnnxSection(props: { onnx: IOnnxExport | null; reference: string }): JSX.Element {
  const onnx = props.onnx;
  if (!onnx) {
    return (
      <p className="mlops-lab-muted" data-testid="mlops-lab-onnx-none">
        No ONNX file. Export one with <code>mlops-lab models export {props.reference}</code>.
      </p>
    );
  }
  const check = onnx.verification;
  const rows: [string, React.ReactNode][] = [
    ['File', `${onnx.blob.slice(0, 12)}… (${onnx.size} bytes, opset ${onnx.opset})`],
    ['Inputs', `${onnx.layout}: ${onnx.inputs.join(', ')}`],
    ['Rows compared', `${check.rows_compared} (${check.sources.join('; ')})`],
    [
      'Label agreement',
      check.label_agreement === null
        ? 'n/a (regressor)'
        : `${(check.label_agreement * 100).toFixed(2)}%`
    ],
    ['Max abs difference', check.max_abs_difference.toPrecision(3)],
    ['Tolerance', tolerance(check.tolerance)],
    ['Verified', check.passed ? 'passed' : 'failed']
  ];
  return <KeyValueTable rows={rows} empty="" testId="mlops-lab-onnx" />;
}
