/**
 * The filter text box: the search grammar of the server, applied on Enter. Field names and
 * values complete as they are typed. A filter the server refuses shows its message right
 * under the box, with the part at fault marked, and the field a bare key most likely meant.
 */
import React, { useEffect, useRef, useState } from 'react';
import { IRun, IRunFields, runFieldValues } from './api';
import { ICompletion, completions, valuedField } from './filterCompletion';

/** A refused filter: the server's message and, when it says, where the fault is. */
export interface IFilterError {
  message: string;
  /** 1-based column and length of the part at fault in the applied filter. */
  column?: number;
  length?: number;
  /** The field a bare key most likely meant (`metrics.acc` for `acc`). */
  suggestion?: string;
}

export interface IFilterBoxProps {
  filter: string;
  error: IFilterError | null;
  /** The keys runs have, for completion (null until known). */
  fields: IRunFields | null;
  /** The loaded runs, whose values complete a comparison (with the server's, asked for). */
  runs: IRun[];
  /** The experiment shown (the server's values are those of its runs); '' for all. */
  experiment: string;
  onApply: (filter: string) => void;
  onFocus?: () => void;
}

export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const [draft, setDraft] = useState(props.filter);
  const [offered, setOffered] = useState<ICompletion[]>([]);
  const [active, setActive] = useState(0);
  // A param's or tag's values on every run of the experiment, asked for once per field. A ref,
  // not state: a keystroke handled before React renders the answer must still see it.
  const known = useRef<Record<string, string[]>>({});
  const asked = useRef(new Set<string>());
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setDraft(props.filter), [props.filter]);
  useEffect(() => {
    asked.current = new Set();
    known.current = {};
  }, [props.experiment]);

  const { error } = props;
  // The part at fault is selected, so typing over it fixes it: once per error, not again
  // when a poll answers with the same error while the user is typing.
  useEffect(() => {
    const box = input.current;
    if (box && error?.column && document.activeElement === box) {
      const start = error.column - 1;
      box.setSelectionRange(start, start + (error.length ?? 1));
    }
  }, [error?.message, error?.column]);

  const offer = (text: string, caret: number) => {
    setOffered(completions(text, caret, props.fields, props.runs, known.current));
    setActive(0);
    const field = valuedField(text, caret);
    if (field && !asked.current.has(field)) {
      asked.current.add(field);
      runFieldValues(field, props.experiment).then(
        found => {
          known.current = { ...known.current, [field]: found };
          const box = input.current;
          // Offered again if the caret is still after that field's comparison.
          if (box && document.activeElement === box) {
            const at = box.selectionStart ?? box.value.length;
            if (valuedField(box.value, at) === field) {
              setOffered(completions(box.value, at, props.fields, props.runs, known.current));
            }
          }
        },
        () => asked.current.delete(field) // asked again on the next keystroke
      );
    }
  };
  const take = (completion: ICompletion) => {
    const text = draft.slice(0, completion.from) + completion.text + draft.slice(completion.to);
    const caret = completion.from + completion.text.length;
    setDraft(text);
    setOffered([]);
    requestAnimationFrame(() => input.current?.setSelectionRange(caret, caret));
  };

  return (
    <div className="mlops-lab-filter">
      <input
        ref={input}
        type="search"
        className="jp-mod-styled mlops-lab-filter-input"
        data-testid="mlops-lab-filter"
        aria-label="Filter runs"
        aria-autocomplete="list"
        aria-expanded={offered.length > 0}
        spellCheck={false}
        autoComplete="off"
        placeholder="Filter: metrics.auc > 0.9"
        title={
          "Press Enter to apply, Escape to clear, Tab to complete. Example: metrics.auc > 0.9 and params.model = 'rf'. " +
          'Fields: metrics.K, params.K, tags.K, status, name, start_time.'
        }
        value={draft}
        onFocus={props.onFocus}
        onBlur={() => setOffered([])}
        onChange={event => {
          const text = event.target.value;
          setDraft(text);
          offer(text, event.target.selectionStart ?? text.length);
          // The search box's clear button empties it: show all runs again.
          if (text === '' && props.filter) {
            props.onApply('');
          }
        }}
        onKeyDown={event => {
          if (offered.length && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
            event.preventDefault();
            const step = event.key === 'ArrowDown' ? 1 : offered.length - 1;
            setActive((active + step) % offered.length);
          } else if (offered.length && event.key === 'Tab') {
            event.preventDefault();
            take(offered[active]);
          } else if (event.key === 'Enter') {
            setOffered([]);
            props.onApply(draft.trim());
          } else if (event.key === 'Escape') {
            if (offered.length) {
              setOffered([]);
              return;
            }
            setDraft('');
            props.onApply('');
          }
        }}
      />
      {offered.length > 0 && (
        <ul className="mlops-lab-filter-completions" role="listbox" data-testid="mlops-lab-filter-completions">
          {offered.map((completion, index) => (
            <li
              key={completion.text}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'jp-mod-selected' : ''}
              // Before the input's blur, which would close the list.
              onMouseDown={event => {
                event.preventDefault();
                take(completion);
              }}
            >
              {completion.text.trim()}
            </li>
          ))}
        </ul>
      )}
      {error && <FilterErrorNote filter={props.filter} error={error} onApply={props.onApply} />}
    </div>
  );
}

/** The server's message, the applied filter with the part at fault marked, and a fix. */
function FilterErrorNote(props: {
  filter: string;
  error: IFilterError;
  onApply: (filter: string) => void;
}): JSX.Element {
  const { filter, error } = props;
  const start = (error.column ?? 0) - 1;
  const end = start + (error.length ?? 1);
  const fixed =
    error.suggestion && start >= 0
      ? filter.slice(0, start) + error.suggestion + filter.slice(end)
      : null;
  return (
    <div className="mlops-lab-filter-error" role="alert" data-testid="mlops-lab-filter-error">
      {start >= 0 && (
        <code className="mlops-lab-filter-where" data-testid="mlops-lab-filter-where">
          {filter.slice(0, start)}
          <mark>{filter.slice(start, end) || ' '}</mark>
          {filter.slice(end)}
        </code>
      )}
      <div>{error.message}</div>
      {fixed && (
        <button
          className="mlops-lab-link-button"
          data-testid="mlops-lab-filter-fix"
          onClick={() => props.onApply(fixed)}
        >
          Use {error.suggestion}
        </button>
      )}
    </div>
  );
}
