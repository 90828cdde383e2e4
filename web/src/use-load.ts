// Loads data for a screen: the value, the error, and a way to load again.
import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from './api.ts';

export interface Load<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): Promise<void>;
  /** Replaces the value without a request (after a write that returned the new value). */
  set(value: T): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Load<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // The caller lists what `load` depends on, as with useCallback.
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (mine === generation.current) setError(asApiError(e));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    void reload();
    // A late answer for a previous organization or filter is dropped.
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { data, error, loading, reload, set: setData };
}
