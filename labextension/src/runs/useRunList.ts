/**
 * The runs shown in the side panel: first page for the current query (with how many runs
 * match in all), the next pages as the table scrolls, and a poll that merges new and changed
 * runs in while the panel is visible.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { IRun, searchRuns } from './api';
import { ApiError } from '../request';
import { usePoll } from '../usePolling';
import { ISort, orderByItem } from './fields';

export const PAGE_SIZE = 50;

export interface IRunListQuery {
  experiment: string;
  filter: string;
  sort: ISort | null;
}

export interface IRunList {
  runs: IRun[];
  /** How many runs match the query over all pages (null until the first answer). */
  total: number | null;
  nextPageToken: string | null;
  loading: boolean;
  /** The error of the current query (never one an earlier query got). */
  error: ApiError | null;
  updatedAt: number | null;
  loadMore: () => void;
  refresh: () => void;
}

function request(query: IRunListQuery, pageToken: string | null) {
  return searchRuns({
    count: !pageToken,
    experiment: query.experiment || undefined,
    filter: query.filter || undefined,
    orderBy: query.sort ? [orderByItem(query.sort)] : undefined,
    limit: PAGE_SIZE,
    pageToken
  });
}

/** Fresh first page first, then the other runs already loaded (no duplicates). */
function mergeFirstPage(fresh: IRun[], shown: IRun[]): IRun[] {
  const ids = new Set(fresh.map(run => run.id));
  return [...fresh, ...shown.filter(run => !ids.has(run.id))];
}

function asApiError(reason: unknown): ApiError {
  return reason instanceof ApiError ? reason : new ApiError(0, 'Error', String(reason));
}

export function useRunList(
  query: IRunListQuery,
  pollSeconds: number,
  active: boolean
): IRunList {
  const [runs, setRuns] = useState<IRun[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // An error with the query it answered: shown only while that query is the current one.
  const [failed, setFailed] = useState<{ error: ApiError; query: IRunListQuery } | null>(null);
  const setError = (error: ApiError | null) => setFailed(error ? { error, query } : null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  // Answers to an older query (or an older poll) are dropped.
  const generation = useRef(0);
  const pagesLoaded = useRef(1);
  const inFlight = useRef(false);

  const loadFirst = useCallback(
    (merge: boolean) => {
      const mine = merge ? generation.current : ++generation.current;
      inFlight.current = true;
      if (!merge) {
        setLoading(true);
        setFailed(null);
        pagesLoaded.current = 1;
      }
      return request(query, null)
        .then(page => {
          if (mine !== generation.current) {
            return;
          }
          setRuns(shown =>
            merge && pagesLoaded.current > 1 ? mergeFirstPage(page.runs, shown) : page.runs
          );
          if (!merge || pagesLoaded.current === 1) {
            setNextPageToken(page.next_page_token);
          }
          setTotal(page.total);
          setError(null);
          setUpdatedAt(Date.now());
        })
        .catch(reason => {
          if (mine !== generation.current) {
            return;
          }
          setError(asApiError(reason));
          if (!merge) {
            setRuns([]);
            setTotal(null);
            setNextPageToken(null);
          }
          throw reason; // the poll backs off
        })
        .finally(() => {
          inFlight.current = false;
          if (mine === generation.current) {
            setLoading(false);
          }
        });
    },
    [query.experiment, query.filter, query.sort]
  );

  useEffect(() => void loadFirst(false).catch(() => undefined), [loadFirst]);

  // New and changed runs merged in while the tab is visible; at once when it comes into view.
  const poll = usePoll(() => (inFlight.current ? Promise.resolve() : loadFirst(true)), {
    active,
    seconds: pollSeconds
  });

  const loadMore = useCallback(() => {
    if (!nextPageToken) {
      return;
    }
    const mine = generation.current;
    setLoading(true);
    request(query, nextPageToken)
      .then(page => {
        if (mine !== generation.current) {
          return;
        }
        pagesLoaded.current += 1;
        setRuns(shown => {
          const ids = new Set(shown.map(run => run.id));
          return [...shown, ...page.runs.filter(run => !ids.has(run.id))];
        });
        setNextPageToken(page.next_page_token);
      })
      .catch(reason => {
        if (mine === generation.current) {
          setError(asApiError(reason));
        }
      })
      .finally(() => {
        if (mine === generation.current) {
          setLoading(false);
        }
      });
  }, [query, nextPageToken]);

  const refresh = poll;
  const error = failed && failed.query === query ? failed.error : null;

  return { runs, total, nextPageToken, loading, error, updatedAt, loadMore, refresh };
}
