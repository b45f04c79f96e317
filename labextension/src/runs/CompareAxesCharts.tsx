/**
 * Charts of the compared runs over chosen axes: parallel coordinates, a scatter of two
 * fields, and a metric by a param (box with every run as a point). Until the user chooses,
 * the axes are the params the user set that differ and the main metric.
 */
import React, { useMemo, useState } from 'react';
import { IRun } from './api';
import { plotText } from '../plotly';
import { PlotlyChart } from '../common/PlotlyChart';
import { defaultParams, fieldId, fieldValues, IField } from './compareFields';
import { FieldChecklist, FieldSelect } from './FieldPickers';
import { runColor, runLabels } from './CompareCharts';

export interface IAxesChartProps {
  runs: IRun[];
  /** Every param and metric of the runs, params first. */
  fields: IField[];
  mainMetric: string;
}

function defaultFields(props: IAxesChartProps): { params: IField[]; metric: IField } {
  return {
    params: defaultParams(props.runs).map(key => ({ kind: 'param', key })),
    metric: { kind: 'metric', key: props.mainMetric }
  };
}

/** The distinct values in reading order, numbers by size ("3" before "10"). */
function sortedValues(values: string[]): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** A parcoords dimension: numbers as they are, text as categories in sorted order. */
function dimension(runs: IRun[], field: IField): Record<string, unknown> {
  const label = plotText(field.key, 24);
  const found = fieldValues(runs, field);
  if (found.numeric) {
    return { label, values: found.values.map(value => value ?? NaN) };
  }
  const categories = sortedValues(found.values);
  return {
    label,
    values: found.values.map(value => categories.indexOf(value)),
    tickvals: categories.map((_, index) => index),
    ticktext: categories.map(value => plotText(value, 16))
  };
}

export function ParallelCoordinates(props: IAxesChartProps): JSX.Element {
  const { runs, mainMetric } = props;
  const [chosen, setChosen] = useState<IField[] | null>(null);
  const defaults = defaultFields(props);
  const axes = chosen ?? [...defaults.params, defaults.metric];
  const data = useMemo(() => {
    const color = fieldValues(runs, defaults.metric).values as (number | null)[];
    return [
      {
        type: 'parcoords',
        line: {
          color: color.map(value => value ?? 0),
          // Ends bright enough to read on light and dark backgrounds alike.
          colorscale: [
            [0, '#3b82f6'],
            [0.5, '#a855f7'],
            [1, '#f97316']
          ],
          showscale: true,
          colorbar: { title: { text: plotText(mainMetric, 16) }, thickness: 12 }
        },
        dimensions: axes.map(field => dimension(runs, field))
      }
    ];
  }, [runs, mainMetric, axes.map(fieldId).join('\n')]);
  const layout = useMemo(() => ({ margin: { l: 60, r: 60, t: 56, b: 24 } }), []);
  return (
    <figure className="mlops-lab-compare-chart" data-testid="mlops-lab-compare-parcoords">
      <figcaption>
        Parallel coordinates
        <FieldChecklist
          label="axes"
          fields={props.fields}
          chosen={axes}
          onChange={setChosen}
          testId="mlops-lab-parcoords-axes"
        />
      </figcaption>
      {axes.length > 0 ? (
        <PlotlyChart data={data} layout={layout} height={340} />
      ) : (
        <p className="mlops-lab-muted">Choose the axes to draw.</p>
      )}
    </figure>
  );
}

/** A chart axis for a field: categories keep their text (as text, never markup). */
function axis(runs: IRun[], field: IField): { values: (number | string | null)[]; layout: object } {
  const found = fieldValues(runs, field);
  return {
    values: found.numeric ? found.values : found.values.map(value => plotText(value)),
    layout: { title: { text: plotText(field.key) }, type: found.numeric ? 'linear' : 'category' }
  };
}

export function ScatterChart(props: IAxesChartProps): JSX.Element {
  const { runs } = props;
  const defaults = defaultFields(props);
  const [chosenX, setX] = useState<IField | null>(null);
  const [chosenY, setY] = useState<IField | null>(null);
  const x = chosenX ?? defaults.params[0] ?? props.fields[0];
  const y = chosenY ?? defaults.metric;
  const data = useMemo(() => {
    const labels = runLabels(runs).map(label => plotText(label));
    return [
      {
        type: 'scatter',
        mode: 'markers+text',
        x: axis(runs, x).values,
        y: axis(runs, y).values,
        text: labels,
        textposition: 'top center',
        hovertemplate: '%{text}<br>%{x}, %{y}<extra></extra>',
        marker: { size: 10, color: labels.map((_, index) => runColor(index)) }
      }
    ];
  }, [runs, fieldId(x), fieldId(y)]);
  const layout = useMemo(
    () => ({ showlegend: false, xaxis: axis(runs, x).layout, yaxis: axis(runs, y).layout }),
    [runs, fieldId(x), fieldId(y)]
  );
  return (
    <figure className="mlops-lab-compare-chart" data-testid="mlops-lab-compare-scatter">
      <figcaption>
        Scatter
        <FieldSelect
          label="x"
          fields={props.fields}
          value={x}
          onChange={setX}
          testId="mlops-lab-scatter-x"
        />
        <FieldSelect
          label="y"
          fields={props.fields}
          value={y}
          onChange={setY}
          testId="mlops-lab-scatter-y"
        />
      </figcaption>
      <PlotlyChart data={data} layout={layout} height={340} />
    </figure>
  );
}

/** One box per value of the param, every run a point beside it. */
export function MetricByParam(props: IAxesChartProps): JSX.Element {
  const { runs } = props;
  const defaults = defaultFields(props);
  const params = props.fields.filter(field => field.kind === 'param');
  const metrics = props.fields.filter(field => field.kind === 'metric');
  const [chosenParam, setParam] = useState<IField | null>(null);
  const [chosenMetric, setMetric] = useState<IField | null>(null);
  const param = chosenParam ?? defaults.params[0] ?? params[0];
  const metric = chosenMetric ?? defaults.metric;
  const data = useMemo(() => {
    if (!param) {
      return [];
    }
    const groups = fieldValues(runs, param).values.map(value => String(value ?? '—'));
    const values = fieldValues(runs, metric).values as (number | null)[];
    const labels = runLabels(runs).map(label => plotText(label));
    return sortedValues(groups).map((group, index) => {
      const members = groups.flatMap((g, i) => (g === group ? [i] : []));
      return {
        type: 'box',
        name: plotText(group, 20),
        y: members.map(i => values[i]),
        text: members.map(i => labels[i]),
        boxpoints: 'all',
        jitter: 0.4,
        pointpos: 0,
        hovertemplate: '%{text}: %{y}<extra></extra>',
        marker: { color: runColor(index), size: 8 },
        line: { color: runColor(index) }
      };
    });
  }, [runs, param && fieldId(param), fieldId(metric)]);
  const layout = useMemo(
    () => ({
      showlegend: false,
      xaxis: { title: { text: param ? plotText(param.key) : '' }, type: 'category' },
      yaxis: { title: { text: plotText(metric.key) } }
    }),
    [param && fieldId(param), fieldId(metric)]
  );
  return (
    <figure className="mlops-lab-compare-chart" data-testid="mlops-lab-compare-by-param">
      <figcaption>
        Metric by param
        <FieldSelect
          label="metric"
          fields={metrics}
          value={metric}
          onChange={setMetric}
          testId="mlops-lab-by-param-metric"
        />
        {param && (
          <FieldSelect
            label="by"
            fields={params}
            value={param}
            onChange={setParam}
            testId="mlops-lab-by-param-param"
          />
        )}
      </figcaption>
      {param ? (
        <PlotlyChart data={data} layout={layout} height={340} />
      ) : (
        <p className="mlops-lab-muted">These runs have no params.</p>
      )}
    </figure>
  );
}
