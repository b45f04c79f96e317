/**
 * Side-by-side tables of the compared runs: params grouped by the model they belong to
 * (differences highlighted) and metrics; either can show only what differs.
 */
import React from 'react';
import { IRun } from './api';
import { formatNumber } from '../format';
import { metricDiffers, paramDiffers, paramGroups, unionKeys } from './compareFields';

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

/** What is left when only differences are shown and none are found. */
function AllSame(props: { what: string; count: number }): JSX.Element {
  return (
    <p className="mlops-lab-muted" data-testid="mlops-lab-compare-all-same">
      These runs have the same {props.what} ({props.count} hidden by “only what differs”).
    </p>
  );
}

export function ParamsDiffTable(props: { runs: IRun[]; onlyDiffering: boolean }): JSX.Element {
  const { runs } = props;
  const all = unionKeys(runs.map(run => run.params));
  if (all.length === 0) {
    return <p className="mlops-lab-muted">None of these runs has params.</p>;
  }
  const groups = paramGroups(runs, props.onlyDiffering);
  if (groups.length === 0) {
    return <AllSame what="params" count={all.length} />;
  }
  return (
    <table className="mlops-lab-compare-table" data-testid="mlops-lab-params-diff">
      <RunHeaders runs={runs} first="Param" />
      {groups.map(group => (
        <tbody key={group.model} data-testid="mlops-lab-param-group">
          <tr className="mlops-lab-group-row">
            <th colSpan={runs.length + 1} scope="rowgroup">
              {group.model ? `Model ${group.model}` : 'Your params'}
            </th>
          </tr>
          {group.keys.map(key => {
            const values = runs.map(run => run.params[key]);
            const differs = paramDiffers(runs, key);
            // Inside a model's group the variable is said once, in the group's title.
            const shown = group.model ? key.slice(group.model.length + 1) : key;
            return (
              <tr key={key} className={differs ? 'mlops-lab-differs' : ''}>
                <th scope="row" title={differs ? `${key} differs between runs` : key}>
                  {shown}
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
      ))}
    </table>
  );
}

export function MetricsTable(props: { runs: IRun[]; onlyDiffering: boolean }): JSX.Element {
  const { runs } = props;
  const all = unionKeys(runs.map(run => run.metrics));
  if (all.length === 0) {
    return <p className="mlops-lab-muted">None of these runs has metrics.</p>;
  }
  const keys = props.onlyDiffering ? all.filter(key => metricDiffers(runs, key)) : all;
  if (keys.length === 0) {
    return <AllSame what="metrics" count={all.length} />;
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
