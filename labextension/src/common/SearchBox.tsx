/**
 * The search line at the top of a side-panel tab: a search field and a Refresh button.
 */
import React from 'react';

export interface ISearchBoxProps {
  value: string;
  onChange: (value: string) => void;
  onRefresh: () => void;
  /** What is searched, in the user's words ("datasets", "models"). */
  what: string;
  /** data-testid of the field. */
  testId: string;
  /** Longer help for the field (its tooltip and accessible label). */
  help?: string;
}

export function SearchBox(props: ISearchBoxProps): JSX.Element {
  return (
    <div className="mlops-lab-search">
      <input
        type="search"
        className="jp-mod-styled mlops-lab-search-query"
        data-testid={props.testId}
        placeholder={`Search ${props.what}`}
        aria-label={props.help ?? `Search ${props.what} by name`}
        title={props.help}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      />
      <button
        className="mlops-lab-link-button"
        title={`Load the ${props.what} again`}
        onClick={props.onRefresh}
      >
        Refresh
      </button>
    </div>
  );
}
