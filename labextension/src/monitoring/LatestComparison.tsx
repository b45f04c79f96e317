/**
 * "Latest comparison": the newest run's features, drifted ones first (then by how far their
 * effect size is past its threshold), with method, statistic, p-value (adjusted), effect size
 * against threshold and status; a click on a feature draws its reference against current.
 */
import React, { useMemo, useState } from 'react';
import { formatNumber, formatShare, metricNumber } from '../format';
import { PlotlyChart } from '../common/PlotlyChart';
import { Section } from '../common/Section';
import { IDriftReport, IFeatureDrift } from './api';
import { pictureTraces } from './charts';

/** How far past its threshold a feature's effect is (drifted features first). */
function severity(feature: IFeatureDrift): number {
  const effect = metricNumber(feature.effect_size ?? NaN);
  const ratio = feature.threshold && Number.isFinite(effect) ? effect / feature.threshold : 0;
  return (feature.drifted ? 1e9 : 0) + ratio;
}

export function orderFeatures(features: IFeatureDrift[]): IFeatureDrift[] {
  return [...features].sort((a, b) => severity(b) - severity(a) || a.name.localeCompare(b.name));
}

export function LatestComparison(props: {
  report: IDriftReport;
  /** What was compared with what, said above the table. */
  caption: React.ReactNode;
}): JSX.Element {
  const features = useMemo(() => orderFeatures(props.report.features), [props.report]);
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = features.find(f => f.name === chosen) ?? features[0] ?? null;
  return (
    <Section title="Latest comparison" testId="mlops-lab-monitor-comparison">
      <p className="mlops-lab-muted">{props.caption}</p>
      <div className="mlops-lab-history-scroll">
        <table className="mlops-lab-versions-table mlops-lab-drift-table" data-testid="mlops-lab-monitor-features">
          <thead>
            <tr>
              <th>Feature</th>
              <th>Method</th>
              <th>Statistic</th>
              <th title="p-value after the multiple-testing correction">p-value (adj.)</th>
              <th>Effect size / threshold</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {features.map(feature => (
              <tr
                key={feature.name}
                data-testid="mlops-lab-monitor-feature"
                data-feature={feature.name}
                data-drifted={String(feature.drifted)}
                className={`${feature.drifted ? 'mlops-lab-drifted' : ''} ${
                  feature.name === selected?.name ? 'mlops-lab-selected' : ''
                }`}
                title="Show reference against current"
                onClick={() => setChosen(feature.name)}
              >
                <td className="mlops-lab-feature-name">{feature.name}</td>
                <td>{feature.method ?? '—'}</td>
                <td>{formatNumber(feature.statistic)}</td>
                <td>{formatNumber(feature.p_value_adjusted ?? feature.p_value)}</td>
                <td title={feature.effect_method ?? undefined}>
                  {formatNumber(feature.effect_size)}
                  {feature.threshold !== null && (
                    <span className="mlops-lab-muted"> / {formatNumber(feature.threshold)}</span>
                  )}
                </td>
                <td>
                  <span className={feature.drifted ? 'mlops-lab-drift-word' : undefined}>
                    {feature.drifted ? 'drifted' : feature.status}
                  </span>
                  {feature.status !== 'ok' && feature.message && feature.message !== feature.status && (
                    <span className="mlops-lab-muted"> — {feature.message}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && <FeaturePicture feature={selected} />}
    </Section>
  );
}

/** A feature's reference against current, with what else the comparison noticed. */
export function FeaturePicture(props: { feature: IFeatureDrift }): JSX.Element {
  const { feature } = props;
  const chart = useMemo(
    () => (feature.picture ? pictureTraces(feature.picture) : null),
    [feature]
  );
  const notes = [
    feature.missing_share_cur ? `missing in current: ${formatShare(feature.missing_share_cur)}` : null,
    feature.missing_share_ref ? `missing in reference: ${formatShare(feature.missing_share_ref)}` : null,
    feature.out_of_range_share
      ? `outside the reference's range: ${formatShare(feature.out_of_range_share)}`
      : null,
    feature.new_categories && feature.new_categories.length
      ? `new categories: ${feature.new_categories.join(', ')}`
      : null
  ].filter(Boolean);
  return (
    <figure className="mlops-lab-feature-picture" data-testid="mlops-lab-monitor-picture" data-feature={feature.name}>
      <figcaption>
        <strong>{feature.name}</strong>: reference against current
        {notes.length > 0 && <span className="mlops-lab-muted"> · {notes.join(' · ')}</span>}
      </figcaption>
      {chart ? (
        <PlotlyChart data={chart.data} layout={chart.layout} height={240} />
      ) : (
        <p className="mlops-lab-muted">No picture was kept for this feature ({feature.status}).</p>
      )}
    </figure>
  );
}
