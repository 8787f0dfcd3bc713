import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The state of a loaded value. */
export interface AsyncState<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  /** Loads again, keeping the old data on screen meanwhile. */
  reload: () => void;
}

/** Loads a value when deps change; a stale answer never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === seq.current && setState({ data, loading: false }),
      (error: unknown) => n === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // The caller's deps say when load means something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}
