/**
 * The list of a side-panel tab (datasets, feature sets, models, pipeline runs, schedules, DAG
 * runs): a scrolling box in which only the rows in view (and a few around them) are in the
 * DOM, so a list of thousands of rows scrolls as lightly as one of ten. Rows may have any
 * height, and change it (a dataset opening its versions): each is measured as it shows.
 */
import React, { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface IPanelListProps<T> {
  /** The rows; null while the first answer is awaited. */
  items: T[] | null;
  itemKey: (item: T) => string | number;
  /** A row's content (inside its `<li>`). */
  renderItem: (item: T) => React.ReactNode;
  /** Said instead of the list when it is empty (null: nothing, e.g. while an error shows). */
  empty?: string | null;
  emptyTestId?: string;
  /** Class and data-testid of the `<ul>`. */
  listClassName: string;
  testId: string;
  /** More classes of the scrolling box. */
  className?: string;
  /** Under the rows (e.g. "showing the first 1,000"). */
  footer?: React.ReactNode;
  /** A first guess of a row's height in pixels, before it is measured. */
  rowHeight?: number;
}

const OVERSCAN = 8;

export function PanelList<T>(props: IPanelListProps<T>): JSX.Element {
  const scroll = useRef<HTMLDivElement>(null);
  const items = props.items ?? [];
  const rows = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroll.current,
    estimateSize: () => props.rowHeight ?? 44,
    getItemKey: index => props.itemKey(items[index]),
    overscan: OVERSCAN
  });
  return (
    <div className={`mlops-lab-table-scroll ${props.className ?? ''}`} ref={scroll}>
      {props.items !== null && props.items.length === 0 && props.empty && (
        <p className="mlops-lab-empty" data-testid={props.emptyTestId}>
          {props.empty}
        </p>
      )}
      <ul
        className={`mlops-lab-list ${props.listClassName}`}
        data-testid={props.testId}
        style={{ height: rows.getTotalSize() }}
      >
        {rows.getVirtualItems().map(row => (
          <li
            key={row.key}
            data-index={row.index}
            ref={rows.measureElement}
            style={{ transform: `translateY(${row.start}px)` }}
          >
            {props.renderItem(items[row.index])}
          </li>
        ))}
      </ul>
      {props.footer}
    </div>
  );
}
