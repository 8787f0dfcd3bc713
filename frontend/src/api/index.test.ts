import { describe, expect, it } from 'vitest';
import { selectApi } from './index';
import type { DesktopBindings } from './wails';

describe('selectApi', () => {
  const runtime = { EventsOn: () => () => {} };

  it('uses the Wails bindings inside the desktop window', () => {
    const api = selectApi({ go: { desktop: { App: {} as DesktopBindings } }, runtime, fetch });
    expect(api.transport).toBe('wails');
  });

  it('uses HTTP in a browser', () => {
    expect(selectApi({ fetch }).transport).toBe('http');
  });

  it('uses HTTP when the bindings are there but the runtime is not', () => {
    expect(selectApi({ go: { desktop: { App: {} as DesktopBindings } }, fetch }).transport).toBe('http');
  });

  it('refuses to start without any transport', () => {
    expect(() => selectApi({})).toThrow(/no transport/);
  });
});
