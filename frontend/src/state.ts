import { useEffect, useState } from 'preact/hooks';
import { selectApi, type ApiGlobals, type Notification } from './api';
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
  }, deps);
}

/** The current hash route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
