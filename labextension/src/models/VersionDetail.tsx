/**
 * The selected version of a model in detail: class, format, trusted types, the gates it was
 * the challenger in, lineage, ONNX export, try-it and model card.
 */
import React from 'react';
import { absoluteTime } from '../format';
import { Section } from '../common/Section';
import { TryIt } from '../serving/TryIt';
import { IModelVersionDetail } from './api';
import { IGate } from './evaluationApi';
import { Lineage } from './Lineage';
import { Markdown } from './Markdown';
import { OnnxSection } from './OnnxSection';
import { VersionGates } from './VersionGates';

/** What loading the file may create, in plain words: skops refuses any class it does not
 * know to be safe unless it was reviewed when the model was saved; pickle runs any code. */
function TrustedTypes(props: { format: string; types: string[] }): JSX.Element {
  if (props.format === 'pickle') {
    return (
      <>
        Not checked: loading a pickle file can run any code in it, so this version loads only when
        asked with <code>allow_pickle=True</code>.
      </>
    );
  }
  if (props.types.length === 0) {
    return <>None needed: the file holds only classes skops loads safely by itself.</>;
  }
  return (
    <>
      Loading this file may create these classes besides the ones skops knows to be safe; they were
      checked when the model was saved, and a file asking for any other class is refused:{' '}
      {props.types.map((type, i) => (
        <React.Fragment key={type}>
          {i > 0 && ', '}
          <code>{type}</code>
        </React.Fragment>
      ))}
    </>
  );
}

export function VersionDetail(props: {
  detail: IModelVersionDetail;
  /** The gates this version was the challenger in, newest first. */
  gates: IGate[];
  onShowEvaluation: (id: number) => void;
  onOpenRun: (runId: string, name?: string) => void;
  onOpenNotebook: (path: string) => void;
}): JSX.Element {
  const d = props.detail;
  return (
    <div className="mlops-lab-version-detail" data-testid="mlops-lab-version-detail">
      <h3 className="mlops-lab-version-heading" data-testid="mlops-lab-version-heading">
        Version {d.version}
        {d.aliases.map(alias => (
          <span className="mlops-lab-alias-chip" key={alias}>
            @{alias}
          </span>
        ))}
      </h3>
      <dl className="mlops-lab-facts">
        <dt>Class</dt>
        <dd>
          <code>{d.model_class}</code>
        </dd>
        <dt>Format</dt>
        <dd>
          {d.format}
          {d.format === 'pickle' && (
            <span className="mlops-lab-warning"> · loads only with allow_pickle=True</span>
          )}
        </dd>
        <dt>Trusted types</dt>
        <dd data-testid="mlops-lab-trusted-types">
          <TrustedTypes format={d.format} types={d.trusted_types} />
        </dd>
        <dt>Registered</dt>
        <dd>
          {absoluteTime(d.created_at)} by {d.created_by}
        </dd>
        {d.description && (
          <>
            <dt>Description</dt>
            <dd>{d.description}</dd>
          </>
        )}
      </dl>
      <Section title="Gates as challenger" testId="mlops-lab-version-gates-section">
        <VersionGates gates={props.gates} onShowEvaluation={props.onShowEvaluation} />
      </Section>
      <Section title="Lineage" testId="mlops-lab-lineage">
        <Lineage
          lineage={d.lineage}
          onOpenRun={props.onOpenRun}
          onOpenNotebook={props.onOpenNotebook}
        />
      </Section>
      <Section title="ONNX" testId="mlops-lab-onnx-section">
        <OnnxSection onnx={d.onnx} reference={d.ref} />
      </Section>
      <Section title="Try it">
        <TryIt model={d.name} version={d.version} />
      </Section>
      <Section title="Model card" testId="mlops-lab-model-card">
        <Markdown text={d.card} testId="mlops-lab-card" />
      </Section>
    </div>
  );
}
