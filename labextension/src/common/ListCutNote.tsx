/**
 * Under a side-panel list the server cut at its limit: how many rows show and how to find
 * the others (the list is searched on the server, so a search reaches every row).
 */
import React from 'react';

export function ListCutNote(props: {
  page: { items: unknown[]; truncated: boolean } | null;
  what: string;
}): JSX.Element | null {
  if (!props.page?.truncated) {
    return null;
  }
  return (
    <p className="mlops-lab-muted mlops-lab-list-cut" data-testid="mlops-lab-list-cut">
      Showing the first {props.page.items.length.toLocaleString()} {props.what}; type in the
      search box to find the others.
    </p>
  );
}
