/**
 * One benchmark: the leaderboard (rank, version, each metric with its interval, how far behind
 * the leader on the first metric) and the first metric per version as dots with error bars.
 */
import React, { useMemo } from 'react';
import { PlotlyChart, useThemeChanges } from '../common/PlotlyChart';
import { IBenchmark } from './evaluationApi';
import { benchmarkChart } from './evaluationCharts';
import { EvaluationData, VersionLink } from './EvaluationData';
import { intervalText, signed } from './intervals';

export function BenchmarkCard(props: {
  benchmark: IBenchmark;
  onSelectVersion: (version: number) => void;
}): JSX.Element {
  const { benchmark } = props;
  const theme = useThemeChanges(); // the trace colours are the theme's
  const chart = useMemo(() => benchmarkChart(benchmark), [benchmark, theme]);
  const first = benchmark.metrics[0] ?? benchmark.metric;
  return (
    <>
      <header className="mlops-lab-evaluation-header">
        <span className="mlops-lab-chip">benchmark</span>
        <strong>Benchmark #{benchmark.id}</strong>
        <span>
          {benchmark.leaderboard.length} versions, best {first} first
        </span>
      </header>
      <div className="mlops-lab-benchmark-body">
        <table className="mlops-lab-history-table mlops-lab-leaderboard">
          <thead>
            <tr>
              <th>Rank</th>
              <th>Version</th>
              {benchmark.metrics.map(metric => (
                <th
                  key={metric}
                  title={benchmark.higher_is_better[metric] === false ? 'lower is better' : 'higher is better'}
                >
                  {metric}
                </th>
              ))}
              <th title={`How much better the leader is on ${first}, paired on the same rows`}>
                Behind leader
              </th>
            </tr>
          </thead>
          <tbody>
            {benchmark.leaderboard.map(row => (
              <tr
                key={row.version}
                data-testid="mlops-lab-leaderboard-row"
                data-version={row.version}
              >
                <td>{row.rank}</td>
                <td title={row.ref}>
                  <VersionLink version={row.version} onSelectVersion={props.onSelectVersion} />
                </td>
                {benchmark.metrics.map(metric => (
                  <td key={metric} className="mlops-lab-interval">
                    {row.values[metric] ? intervalText(row.values[metric]) : '—'}
                  </td>
                ))}
                <td className="mlops-lab-interval">
                  {row.behind_leader ? intervalText(row.behind_leader, signed) : 'leader'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <PlotlyChart {...chart} height={200} className="mlops-lab-benchmark-chart" />
      </div>
      <EvaluationData evaluation={benchmark} />
    </>
  );
}
