import { describe, expect, it } from 'vitest';
import { createHttpApi } from './http';
import { createWailsApi, type DesktopBindings, type WailsRuntime } from './wails';

describe('restore routes over HTTP', () => {
  it('previews, restores chosen tasks, drills and uploads', async () => {
    const calls: { url: string; method: string; type?: string; body?: unknown }[] = [];
    const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      calls.push({ url: String(input), method: init?.method ?? 'GET', type: headers['Content-Type'], body: init?.body });
      const url = String(input);
      const body = url.endsWith('/drills') && (init?.method ?? 'GET') === 'GET' ? { proven: [{ destination: 'local', failed: false }] } : { ok: true };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch;
    const api = createHttpApi({ fetch: f });
    await api.previewTasks('a b.db.zst');
    await api.restoreTasks('a b.db.zst', ['t1', 't2']);
    expect(await api.listProven()).toEqual([{ destination: 'local', failed: false }]);
    await api.runDrill();
    await api.runDrill('x.db.zst');
    await api.drillSet({ destination: 'usb', passphrase: 'pw pw pw pw' });
    const file = new Blob([new Uint8Array([1, 2, 3])]);
    await api.uploadBackup(file);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/backups/a%20b.db.zst/preview',
      'POST /api/v1/backups/a%20b.db.zst/restore-tasks',
      'GET /api/v1/drills',
      'POST /api/v1/drills',
      'POST /api/v1/drills',
      'POST /api/v1/drills',
      'POST /api/v1/backups/upload',
    ]);
    expect(JSON.parse(calls[1]!.body as string)).toEqual({ tasks: ['t1', 't2'] });
    expect(JSON.parse(calls[3]!.body as string)).toEqual({});
    expect(JSON.parse(calls[4]!.body as string)).toEqual({ name: 'x.db.zst' });
    expect(JSON.parse(calls[5]!.body as string)).toEqual({ destination: 'usb', passphrase: 'pw pw pw pw' });
    expect(calls[6]!.type).toBe('application/octet-stream');
    expect(calls[6]!.body).toBe(file);
  });

  it('rejects an upload with the server error', async () => {
    const f = (async () => new Response(JSON.stringify({ error: { code: 'invalid', message: 'the uploaded file is not a SQLite database.' } }), { status: 400 })) as typeof fetch;
    await expect(createHttpApi({ fetch: f }).uploadBackup(new Blob(['x']))).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('restore bindings in the window', () => {
  it('sends an uploaded file as base64 and drills the newest backup by default', async () => {
    let sent = '';
    let drilled: string | undefined;
    const app = {
      UploadBackup: async (b64: string) => ((sent = b64), { backup: {}, set: {} }),
      RunDrill: async (name: string) => ((drilled = name), { ok: true }),
      DrillSet: async (req: { destination?: string }) => ((drilled = `@${req.destination}`), { ok: true }),
      MediaBaseURL: async () => '',
    } as unknown as DesktopBindings;
    const runtime: WailsRuntime = { EventsOn: () => () => {} };
    const api = createWailsApi(app, runtime);
    await api.uploadBackup(new Blob([new Uint8Array([0, 1, 2, 250])]));
    expect(sent).toBe(btoa(String.fromCharCode(0, 1, 2, 250)));
    await api.runDrill();
    expect(drilled).toBe('');
    await api.drillSet({ destination: 'usb' });
    expect(drilled).toBe('@usb');
  });
});
