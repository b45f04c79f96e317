/**
 * Field references in the search grammar shared with the server
 * (`metrics.auc`, params.`learning rate`, `attributes.start_time desc`).
 */

export type FieldKind = 'metrics' | 'params' | 'tags' | 'attributes';

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `metrics.auc`, or metrics.`val loss` when the key has other characters. */
export function fieldRef(kind: FieldKind, key: string): string {
  return PLAIN_KEY.test(key) ? `${kind}.${key}` : `${kind}.\`${key}\``;
}

export type SortDirection = 'asc' | 'desc';

export interface ISort {
  field: string;
  direction: SortDirection;
}

/** The `order_by` item the server expects, e.g. `metrics.auc desc`. */
export function orderByItem(sort: ISort): string {
  return `${sort.field} ${sort.direction}`;
}
