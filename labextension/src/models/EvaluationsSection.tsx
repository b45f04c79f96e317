/**
 * A model's gates and benchmarks, newest first, each as a card. A card asked for from
 * elsewhere in the view (a version's gate line, the alias history) scrolls into view and is
 * outlined.
 */
import React, { useEffect, useRef } from 'react';
import { Section } from '../common/Section';
import { IListPage } from '../request';
import { BenchmarkCard } from './BenchmarkCard';
import { IEvaluation } from './evaluationApi';
import { GateCard } from './GateCard';

/** Which card to show: `asked` counts the requests, so asking for the same card again scrolls. */
export interface IEvaluationFocus {
  id: number;
  asked: number;
}

function Empty(): JSX.Element {
  return (
    <p className="mlops-lab-muted" data-testid="mlops-lab-evaluations-empty">
      No gate or benchmark yet. Compare a challenger with the champion on a labelled snapshot
      with{' '}
      <code>ml.gate(challenger="name/2", champion="name@champion", data="holdout", label="y")</code>{' '}
      in a notebook, or <code>mlops-lab gate</code> in a terminal (see{' '}
      <code>mlops-lab gate --help</code>; its exit code tells CI whether it passed). Rank versions
      with <code>ml.benchmark_models(["name/1", "name/2"], data="holdout", label="y")</code>.
    </p>
  );
}

export function EvaluationsSection(props: {
  page: IListPage<IEvaluation> | null;
  focus: IEvaluationFocus | null;
  onSelectVersion: (version: number) => void;
}): JSX.Element {
  const { page, focus } = props;
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focus) {
      root.current
        ?.querySelector(`[data-evaluation-id="${focus.id}"]`)
        ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  }, [focus, page !== null]);

  return (
    <Section title="Gates and benchmarks" testId="mlops-lab-evaluations">
      <div ref={root}>
        {page === null ? (
          <p className="mlops-lab-muted">Loading…</p>
        ) : page.items.length === 0 ? (
          <Empty />
        ) : (
          page.items.map(evaluation => (
            <article
              key={evaluation.id}
              className={
                focus?.id === evaluation.id
                  ? 'mlops-lab-evaluation mlops-lab-focused'
                  : 'mlops-lab-evaluation'
              }
              data-evaluation-id={evaluation.id}
              data-testid={`mlops-lab-${evaluation.kind}`}
            >
              {evaluation.kind === 'gate' ? (
                <GateCard gate={evaluation} onSelectVersion={props.onSelectVersion} />
              ) : (
                <BenchmarkCard benchmark={evaluation} onSelectVersion={props.onSelectVersion} />
              )}
            </article>
          ))
        )}
        {page?.truncated && (
          <p className="mlops-lab-muted" data-testid="mlops-lab-list-cut">
            Showing the newest {page.items.length.toLocaleString()} gates and benchmarks.
          </p>
        )}
      </div>
    </Section>
  );
}
