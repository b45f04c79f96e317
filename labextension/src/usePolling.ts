/**
 * Data a panel tab shows, loaded while the tab is visible and again every refreshInterval
 * seconds or when reload() is called; the server's error message is kept for display.
 */
import { DependencyList, useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

export interface IPollingOptions {
  visible: boolean;
  /** Seconds between reloads; 0 turns polling off. */
  refreshInterval: number;
  /** Wait this long after `deps` change (typing in a search box: one request per pause). */
  debounceMs?: number;
}

export interface IPolled<T> {
  data: T | null;
  error: string | null;
  setError: (message: string | null) => void;
  reload: () => void;
}

export function usePolling<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: IPollingOptions
): IPolled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick(n => n + 1), []);

  useEffect(() => {
    if (!options.visible) {
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      load().then(
        found => {
          if (live) {
            setData(found);
            setError(null);
          }
        },
        (reason: ApiError) => live && setError(reason.message)
      );
    }, options.debounceMs ?? 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, tick, options.visible]);

  useEffect(() => {
    if (!options.visible || options.refreshInterval <= 0) {
      return;
    }
    const timer = setInterval(reload, options.refreshInterval * 1000);
    return () => clearInterval(timer);
  }, [options.visible, options.refreshInterval]);

  return { data, error, setError, reload };
}
