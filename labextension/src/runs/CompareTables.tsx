/**
 * Side-by-side tables of the compared runs: params (differences highlighted) and metrics.
 */
import React from 'react';
import { IRun } from './api';
import { formatNumber } from '../format';

function unionKeys(records: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  records.forEach(record => Object.keys(record).forEach(key => keys.add(key)));
  return [...keys].sort((a, b) => a.localeCompare(b));
}

function RunHeaders(props: { runs: IRun[]; first: string }): JSX.Element {
  return (
    <thead>
      <tr>
        <th>{props.first}</th>
        {props.runs.map(run => (
          <th key={run.id} title={`${run.name} (${run.id})`}>
            {run.name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function ParamsDiffTable(props: { runs: IRun[] }): JSX.Element {
  const { runs } = props;
  const keys = unionKeys(runs.map(run => run.params));
  if (keys.length === 0) {
    return <p className="mlops-lab-muted">None of these runs has params.</p>;
  }
  return (
    <table className="mlops-lab-compare-table" data-testid="mlops-lab-params-diff">
      <RunHeaders runs={runs} first="Param" />
      <tbody>
        {keys.map(key => {
          const values = runs.map(run => run.params[key]);
          const differs = new Set(values.map(v => v ?? '\u0000missing')).size > 1;
          return (
            <tr key={key} className={differs ? 'mlops-lab-differs' : ''}>
              <th scope="row" title={differs ? `${key} differs between runs` : key}>
                {key}
              </th>
              {values.map((value, index) => (
                <td key={runs[index].id} title={value}>
                  {value ?? <span className="mlops-lab-muted">—</span>}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MetricsTable(props: { runs: IRun[] }): JSX.Element {
  const { runs } = props;
  const keys = unionKeys(runs.map(run => run.metrics));
  if (keys.length === 0) {
    return <p className="mlops-lab-muted">None of these runs has metrics.</p>;
  }
  return (
    <table className="mlops-lab-compare-table" data-testid="mlops-lab-metrics-compare">
      <RunHeaders runs={runs} first="Metric" />
      <tbody>
        {keys.map(key => (
          <tr key={key}>
            <th scope="row" title={key}>
              {key}
            </th>
            {runs.map(run => (
              <td key={run.id} className="mlops-lab-num" title={String(run.metrics[key] ?? '')}>
                {key in run.metrics ? (
                  formatNumber(run.metrics[key])
                ) : (
                  <span className="mlops-lab-muted">—</span>
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
