import { useEffect, useState } from 'preact/hooks';
import { selectApi, type ApiGlobals, type Connection, type Notification } from './api';
import { parseRoute, type Route } from './lib/route';

/** The one Api of this page: Wails bindings in the window, HTTP in a browser. */
export const api = selectApi(window as unknown as ApiGlobals);

type Listener = (n: Notification) => void;
const listeners = new Set<Listener>();
let unsubscribe: (() => void) | undefined;

/** Starts listening to the backend's live changes (once). */
export function startNotifications(): void {
  unsubscribe ??= api.subscribe((n) => listeners.forEach((fn) => fn(n)));
}

/** Calls fn for each live change while the component is mounted. */
export function useNotifications(fn: Listener, deps: unknown[] = []): void {
  useEffect(() => {
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
    // The caller's deps say when fn means something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

/** The current hash route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => {
      const next = parseRoute(location.hash);
      setRoute((r) => (r.screen === next.screen && r.taskId === next.taskId ? r : next));
    };
    addEventListener('hashchange', on);
    // The hash may have changed before this effect ran (the window sets it
    // when it opens on a task).
    on();
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** How often relative times ("just now", "3 min ago") are written again. */
export const CLOCK_TICK_MS = 30_000;

const clockListeners = new Set<(t: number) => void>();
let clockTimer: ReturnType<typeof setInterval> | undefined;

/**
 * Re-renders the component every CLOCK_TICK_MS so relative times keep
 * ticking, on one timer shared by every component that uses it; returns the
 * tick's time, to pass to rows that render only when their props change.
 */
export function useClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    clockListeners.add(setNow);
    clockTimer ??= setInterval(() => {
      const t = Date.now();
      clockListeners.forEach((fn) => fn(t));
    }, CLOCK_TICK_MS);
    return () => {
      clockListeners.delete(setNow);
      if (clockListeners.size === 0 && clockTimer !== undefined) {
        clearInterval(clockTimer);
        clockTimer = undefined;
      }
    };
  }, []);
  return now;
}

/** The page's connection (always live in the window), updated as it changes. */
export function useConnection(): Connection {
  const [c, setC] = useState<Connection>(() => api.connection?.() ?? 'live');
  useEffect(() => {
    setC(api.connection?.() ?? 'live');
    return api.watchConnection?.(setC);
  }, []);
  return c;
}
