/**
 * The one way the extension polls: every side-panel tab and every main-area view that
 * refreshes uses these hooks, built on @lumino/polling's Poll (a tick every `seconds`, backing
 * off after a failed request, standing by while inactive or while the browser tab is hidden).
 */
import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { IPoll, Poll } from '@lumino/polling';

export interface IPollOptions {
  /** Polls only while true (a visible tab, a run that has not ended); turning true ticks at once. */
  active: boolean;
  /** Seconds between ticks; 0 ticks only when asked (refresh, or `active` turning true). */
  seconds: number;
}

const MAX_BACKOFF_MS = 60_000;

/** A poll's frequency for a refresh interval in seconds (0: only when asked). */
export function frequency(seconds: number): IPoll.Frequency {
  if (!(seconds > 0)) {
    return { interval: Poll.NEVER, backoff: false, max: Poll.NEVER };
  }
  const interval = seconds * 1000;
  return { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF_MS) };
}

/**
 * Calls `tick` while active, every `seconds`; a rejected tick backs off. Returns a function
 * that ticks at once.
 */
export function usePoll(tick: () => Promise<unknown>, options: IPollOptions): () => void {
  const latest = useRef({ tick, active: options.active });
  latest.current = { tick, active: options.active };
  // A tick asked for (a Reload button) happens even while the poll stands by.
  const asked = useRef(false);
  const poll = useRef<Poll | null>(null);
  // Lumino drops a refresh asked for while a refreshed tick is still running, whose answer
  // may be for inputs that have changed since: such a refresh runs once that tick ends.
  const running = useRef(false);
  const again = useRef(false);

  const refresh = useCallback(() => {
    asked.current = true;
    if (running.current) {
      again.current = true;
      return;
    }
    void poll.current?.refresh();
  }, []);

  useEffect(() => {
    const made = new Poll({
      auto: false,
      factory: () => {
        asked.current = false;
        running.current = true;
        return latest.current.tick().finally(() => {
          running.current = false;
          if (again.current) {
            again.current = false;
            // After the poll has settled this tick (a refresh before that would be dropped).
            setTimeout(refresh);
          }
        });
      },
      frequency: frequency(options.seconds),
      standby: () => (asked.current ? false : latest.current.active ? 'when-hidden' : true)
    });
    poll.current = made;
    return () => {
      made.dispose();
      poll.current = null;
    };
  }, []);

  useEffect(() => {
    if (poll.current) {
      poll.current.frequency = frequency(options.seconds);
    }
  }, [options.seconds]);

  // Coming into view: load at once rather than at the next tick.
  useEffect(() => {
    if (options.active) {
      refresh();
    }
  }, [options.active]);
  return refresh;
}

export interface IPollingOptions {
  visible: boolean;
  /** Seconds between reloads; 0 turns polling off. */
  refreshInterval: number;
  /** Wait this long after `deps` change (typing in a search box: one request per pause). */
  debounceMs?: number;
}

/** For a view loaded when opened, when its inputs change and on Reload; no timed refresh. */
export const ON_DEMAND: IPollingOptions = { visible: true, refreshInterval: 0 };

export interface IPolled<T> {
  data: T | null;
  error: string | null;
  setError: (message: string | null) => void;
  reload: () => void;
}

/**
 * Data a tab or a view shows, loaded while it is visible and again every refreshInterval
 * seconds, when `deps` change, or when reload() is called; the server's error message is kept
 * for display. Answers to older `deps` are dropped.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: IPollingOptions
): IPolled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const reload = usePoll(
    () => {
      const mine = generation.current;
      return load().then(
        found => {
          if (mine === generation.current) {
            setData(found);
            setError(null);
          }
        },
        (reason: Error) => {
          if (mine === generation.current) {
            setError(reason.message);
          }
          throw reason;
        }
      );
    },
    { active: options.visible, seconds: options.refreshInterval }
  );

  const mounted = useRef(false);
  useEffect(() => {
    if (!mounted.current) {
      mounted.current = true; // the first load is the poll's own
      return;
    }
    generation.current += 1;
    if (!options.visible) {
      return;
    }
    const timer = setTimeout(reload, options.debounceMs ?? 0);
    return () => clearTimeout(timer);
  }, deps);

  return { data, error, setError, reload };
}
