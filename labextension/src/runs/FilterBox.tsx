/**
 * The filter text box: the search grammar of the server, applied on Enter.
 * A filter the server refuses shows its message right under the box.
 */
import React, { useEffect, useState } from 'react';

export interface IFilterBoxProps {
  filter: string;
  error: string | null;
  onApply: (filter: string) => void;
}

export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const [draft, setDraft] = useState(props.filter);
  useEffect(() => setDraft(props.filter), [props.filter]);

  return (
    <div className="mlops-lab-filter">
      <input
        type="search"
        className="jp-mod-styled mlops-lab-filter-input"
        data-testid="mlops-lab-filter"
        aria-label="Filter runs"
        spellCheck={false}
        placeholder="Filter: metrics.auc > 0.9"
        title={
          "Press Enter to apply, Escape to clear. Example: metrics.auc > 0.9 and params.model = 'rf'. " +
          'Fields: metrics.K, params.K, tags.K, status, name, start_time.'
        }
        value={draft}
        onChange={event => {
          setDraft(event.target.value);
          // The search box's clear button empties it: show all runs again.
          if (event.target.value === '' && props.filter) {
            props.onApply('');
          }
        }}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            props.onApply(draft.trim());
          } else if (event.key === 'Escape') {
            setDraft('');
            props.onApply('');
          }
        }}
      />
      {props.error && (
        <div className="mlops-lab-filter-error" role="alert" data-testid="mlops-lab-filter-error">
          {props.error}
        </div>
      )}
    </div>
  );
}
