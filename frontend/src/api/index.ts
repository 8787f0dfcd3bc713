import type { Api } from './api';
import { readBoot } from './boot';
import { createHttpApi } from './http';
import { createWailsApi, type DesktopBindings, type WailsRuntime } from './wails';

export type { Api, Connection, CountQuery, MaintenanceOp } from './api';
export { ApiError, stockDetail, toApiError } from './errors';
export * from './types';

/** The globals that tell the desktop window from a browser. */
export interface ApiGlobals {
  go?: { desktop?: { App?: DesktopBindings } };
  runtime?: WailsRuntime;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  document?: Pick<Document, 'getElementById'>;
}

/**
 * Picks the transport: the bound Go methods when the page runs inside the
 * desktop window (Wails injects window.go and window.runtime), the HTTP API
 * otherwise.
 */
export function selectApi(g: ApiGlobals): Api {
  const app = g.go?.desktop?.App;
  if (app && g.runtime) return createWailsApi(app, g.runtime, readBoot(g.document));
  if (!g.fetch) throw new Error('no transport: neither Wails bindings nor fetch are available');
  const f = g.fetch.bind(g);
  const ES = g.EventSource;
  return createHttpApi({ fetch: f, eventSource: ES ? (url) => new ES(url) : undefined });
}
