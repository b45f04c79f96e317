/**
 * A DAG run's graph as SVG: one column per topological depth, a box per step coloured by its
 * status, a curved arrow per dependency. Clicking a step with a tracking run opens the run.
 */
import React from 'react';
import { IDagStep } from './api';

const BOX_W = 168;
const BOX_H = 46;
const GAP_X = 64;
const GAP_Y = 18;
const PAD = 12;

export interface IDagGraphProps {
  steps: IDagStep[];
  selected: string | null;
  onSelect: (step: IDagStep) => void;
}

interface IPlaced {
  step: IDagStep;
  x: number;
  y: number;
}

/** Where each step goes: columns by depth, rows in the order the server lists them. */
export function layout(steps: IDagStep[]): { placed: Map<string, IPlaced>; width: number; height: number } {
  const rows = new Map<number, number>();
  const placed = new Map<string, IPlaced>();
  for (const step of steps) {
    const row = rows.get(step.depth) ?? 0;
    rows.set(step.depth, row + 1);
    placed.set(step.name, {
      step,
      x: PAD + step.depth * (BOX_W + GAP_X),
      y: PAD + row * (BOX_H + GAP_Y)
    });
  }
  const columns = Math.max(1, ...Array.from(rows.keys()).map(d => d + 1));
  const tallest = Math.max(1, ...Array.from(rows.values()));
  return {
    placed,
    width: PAD * 2 + columns * BOX_W + (columns - 1) * GAP_X,
    height: PAD * 2 + tallest * BOX_H + (tallest - 1) * GAP_Y
  };
}

function shorten(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export function DagGraph(props: IDagGraphProps): JSX.Element {
  const { placed, width, height } = layout(props.steps);
  const edges: JSX.Element[] = [];
  for (const step of props.steps) {
    const to = placed.get(step.name)!;
    for (const name of step.depends_on) {
      const from = placed.get(name);
      if (!from) {
        continue;
      }
      const x1 = from.x + BOX_W;
      const y1 = from.y + BOX_H / 2;
      const x2 = to.x;
      const y2 = to.y + BOX_H / 2;
      const bend = (x2 - x1) / 2;
      edges.push(
        <path
          key={`${name}->${step.name}`}
          className={`mlops-lab-dag-edge mlops-lab-dag-edge-${from.step.status.toLowerCase()}`}
          data-from={name}
          data-to={step.name}
          d={`M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2 - 6} ${y2}`}
          markerEnd="url(#mlops-lab-dag-arrow)"
        />
      );
    }
  }
  return (
    <svg
      className="mlops-lab-dag-graph"
      data-testid="mlops-lab-dag-graph"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="The steps of the DAG run and their dependencies"
    >
      <defs>
        <marker
          id="mlops-lab-dag-arrow"
          viewBox="0 0 10 10"
          refX="8"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" className="mlops-lab-dag-arrow" />
        </marker>
      </defs>
      {edges}
      {Array.from(placed.values()).map(({ step, x, y }) => (
        <g
          key={step.name}
          className={
            `mlops-lab-dag-node mlops-lab-dag-node-${step.status.toLowerCase()}` +
            (props.selected === step.name ? ' mlops-lab-dag-node-selected' : '')
          }
          data-testid="mlops-lab-dag-node"
          data-step={step.name}
          data-status={step.status}
          transform={`translate(${x}, ${y})`}
          tabIndex={0}
          role="button"
          aria-label={`Step ${step.name}: ${step.status.toLowerCase()}`}
          onClick={() => props.onSelect(step)}
          onKeyDown={event => {
            if (event.key === 'Enter' || event.key === ' ') {
              props.onSelect(step);
            }
          }}
        >
          <title>
            {`${step.name} — ${step.status.toLowerCase()}` +
              (step.error ? `\n${step.error}` : '') +
              (step.run_id ? '\nClick to open its run.' : '')}
          </title>
          <rect width={BOX_W} height={BOX_H} rx={6} ry={6} />
          <text x={10} y={19} className="mlops-lab-dag-node-name">
            {shorten(step.name, 22)}
          </text>
          <text x={10} y={36} className="mlops-lab-dag-node-status">
            {step.status.toLowerCase()}
            {step.attempt && step.attempt > 1 ? ` · attempt ${step.attempt}` : ''}
          </text>
        </g>
      ))}
    </svg>
  );
}
