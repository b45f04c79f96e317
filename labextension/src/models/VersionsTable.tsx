/**
 * A model's versions: aliases, when and by whom, the first metrics, the run that made each,
 * and Promote…; a click selects the version shown in detail below.
 */
import React from 'react';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { Section } from '../common/Section';
import { IModelVersion } from './api';

const METRIC_COLUMNS = 6;

export function VersionsTable(props: {
  versions: IModelVersion[];
  selected: number | null;
  onSelectVersion: (version: number) => void;
  onOpenRun: (runId: string, name?: string) => void;
  onPromote: (version: number) => void;
}): JSX.Element {
  const { versions, selected } = props;
  const metricKeys = [...new Set(versions.flatMap(v => Object.keys(v.metrics)))]
    .sort()
    .slice(0, METRIC_COLUMNS);
  return (
    <Section title="Versions" testId="mlops-lab-model-versions">
      <div className="mlops-lab-history-scroll">
        <table className="mlops-lab-versions-table">
          <thead>
            <tr>
              <th>Version</th>
              <th>Aliases</th>
              <th>Registered</th>
              <th>By</th>
              {metricKeys.map(key => (
                <th key={key} title={key}>
                  {key}
                </th>
              ))}
              <th>Run</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions.map(v => (
              <tr
                key={v.version}
                data-version={v.version}
                className={v.version === selected ? 'mlops-lab-selected' : ''}
                data-testid="mlops-lab-version-row"
                onClick={() => props.onSelectVersion(v.version)}
              >
                <td>
                  <b>{v.version}</b>
                </td>
                <td>
                  {v.aliases.map(alias => (
                    <span className="mlops-lab-alias-chip" key={alias}>
                      @{alias}
                    </span>
                  ))}
                </td>
                <td title={absoluteTime(v.created_at)}>{relativeTime(v.created_at)}</td>
                <td>{v.created_by}</td>
                {metricKeys.map(key => (
                  <td key={key} className="mlops-lab-num">
                    {formatNumber(v.metrics[key])}
                  </td>
                ))}
                <td>
                  {v.run_id && (
                    <button
                      className="mlops-lab-link-button"
                      onClick={event => {
                        event.stopPropagation();
                        props.onOpenRun(v.run_id as string);
                      }}
                    >
                      {v.run_id.slice(0, 8)}
                    </button>
                  )}
                </td>
                <td>
                  <button
                    className="jp-mod-styled mlops-lab-small-button"
                    data-testid="mlops-lab-promote"
                    title="Point an alias at this version"
                    onClick={event => {
                      event.stopPropagation();
                      props.onPromote(v.version);
                    }}
                  >
                    Promote…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
