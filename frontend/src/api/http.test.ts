import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { createHttpApi } from './http';
import { toSearchParams } from './query';
import type { Notification } from './types';

interface Call {
  url: string;
  method: string;
  body?: string;
}

/** A fetch that records requests and answers from a table of status and body. */
function fakeFetch(answers: Record<string, [number, unknown]>) {
  const calls: Call[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, method: init?.method ?? 'GET', body: init?.body as string | undefined });
    const key = Object.keys(answers).find((k) => url.startsWith(k));
    if (!key) throw new TypeError('Failed to fetch');
    const [status, body] = answers[key] as [number, unknown];
    return new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { f, calls };
}

describe('createHttpApi', () => {
  it('lists tasks with the filter as query parameters', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/tasks?': [200, { tasks: [{ task_id: 'a' }], next_cursor: 'c2' }] });
    const api = createHttpApi({ fetch: f });
    const page = await api.listTasks({ status: ['failed', 'cancelled'], search: '  猫  ', username: 'ann', from: '2026-01-02', cursor: 'c1', limit: 50 });
    expect(page).toEqual({ tasks: [{ task_id: 'a' }], next_cursor: 'c2' });
    const q = new URL(calls[0]!.url, 'http://x').searchParams;
    expect(q.getAll('status')).toEqual(['failed', 'cancelled']);
    expect(q.get('search')).toBe('猫');
    expect(q.get('username')).toBe('ann');
    expect(q.get('created_from')).toBe(new Date(2026, 0, 2).toISOString());
    expect(q.get('cursor')).toBe('c1');
    expect(q.get('limit')).toBe('50');
    expect(q.has('created_to')).toBe(false);
  });

  it('builds poster URLs and calls the storage, relink and remove-video routes', async () => {
    const { f, calls } = fakeFetch({
      '/api/v1/storage': [200, { total_bytes: 5, videos: 1, missing_count: 0, users: [], tasks: [], missing: [] }],
      '/api/v1/relink': [200, { folder: '/m', dry_run: true, files_scanned: 0, missing: 0, relinked: [], unmatched: [] }],
      '/api/v1/tasks/t%201/videos/0': [204, undefined],
    });
    const api = createHttpApi({ fetch: f });
    expect(api.posterUrl('t 1')).toBe('/media/posters/t%201');
    expect((await api.storage()).total_bytes).toBe(5);
    expect((await api.relink('/m', true)).dry_run).toBe(true);
    await api.removeVideo('t 1', 0);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', '/api/v1/storage', undefined],
      ['POST', '/api/v1/relink', JSON.stringify({ folder: '/m', dry_run: true })],
      ['DELETE', '/api/v1/tasks/t%201/videos/0', undefined],
    ]);
  });

  it('replaces a scene video with the HTTP body and answers the new video', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/tasks/t%201/videos/2': [200, { id: 7, scene_number: 2, file_path: '/m/new.mp4', width: 160 }] });
    const api = createHttpApi({ fetch: f });
    const v = await api.replaceVideo('t 1', 2, { file_path: '/m/new.mp4', width: 160 });
    expect(v).toMatchObject({ id: 7, file_path: '/m/new.mp4', width: 160 });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['PUT', '/api/v1/tasks/t%201/videos/2', JSON.stringify({ file_path: '/m/new.mp4', width: 160 })],
    ]);
    // A browser has no file dialog: the UI asks for a path instead.
    expect(api.chooseVideoFile).toBeUndefined();
  });

  it('rejects a replacement with the server error, field and all', async () => {
    const { f } = fakeFetch({ '/api/v1/tasks/t/videos/1': [400, { error: { code: 'invalid', field: 'file_path', message: 'The file /x is not a video.' } }] });
    await expect(createHttpApi({ fetch: f }).replaceVideo('t', 1, { file_path: '/x' })).rejects.toMatchObject({ code: 'invalid', message: 'The file /x is not a video.' });
  });

  it('treats an empty next_cursor as the last page', async () => {
    const { f } = fakeFetch({ '/api/v1/tasks': [200, { tasks: [], next_cursor: '' }] });
    expect((await createHttpApi({ fetch: f }).listTasks({})).next_cursor).toBeUndefined();
  });

  it('rejects with the server error', async () => {
    const { f } = fakeFetch({ '/api/v1/tasks/nope': [404, { error: { code: 'not_found', message: 'No task nope.' } }] });
    await expect(createHttpApi({ fetch: f }).getTask('nope')).rejects.toMatchObject({ code: 'not_found', message: 'No task nope.' });
  });

  it('rejects with offline when the server cannot be reached', async () => {
    const { f } = fakeFetch({});
    const err = await createHttpApi({ fetch: f }).me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('offline');
  });

  it('counts by status with the list filters through the counts endpoint', async () => {
    const counts = { pending: 1, processing: 2, completed: 3, failed: 4, cancelled: 5 };
    const { f, calls } = fakeFetch({ '/api/v1/tasks/counts?': [200, counts] });
    const api = createHttpApi({ fetch: f });
    const q = { status: ['failed' as const], search: ' rain ', username: 'ann', from: '2026-01-01', to: '2026-01-31' };
    expect(await api.countTasks(q)).toEqual(counts);
    const url = new URL(calls[0]!.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/tasks/counts');
    expect(calls[0]!.method).toBe('GET');
    // The same query string as the list's for the same filters.
    expect(url.search.slice(1)).toBe(toSearchParams(q));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      status: 'failed',
      search: 'rain',
      username: 'ann',
      created_from: new Date(2026, 0, 1).toISOString(),
      created_to: new Date(2026, 1, 1).toISOString(),
    });
  });

  it('never sends paging to the counts endpoint', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/tasks/counts': [200, {}] });
    await createHttpApi({ fetch: f }).countTasks({ search: 'x', cursor: 'c1', limit: 5 } as never);
    expect(calls[0]!.url).toBe('/api/v1/tasks/counts?search=x');
  });

  it('rejects with the server error of a bad count filter', async () => {
    const body = { error: { code: 'invalid', message: 'Unknown status "done".', field: 'status' } };
    const { f } = fakeFetch({ '/api/v1/tasks/counts': [400, body] });
    await expect(createHttpApi({ fetch: f }).countTasks({})).rejects.toMatchObject({ code: 'invalid' });
  });

  it('unwraps lists and wraps the database status', async () => {
    const { f } = fakeFetch({
      '/api/v1/users': [200, { users: [{ username: 'ann' }] }],
      '/api/v1/backups': [200, { backups: [{ name: 'b1' }] }],
      '/api/v1/jobs': [200, { jobs: [] }],
      '/api/v1/status': [200, { engine: 'sqlite', file_size: 4096 }],
    });
    const api = createHttpApi({ fetch: f });
    expect((await api.listUsers()).map((u) => u.username)).toEqual(['ann']);
    expect((await api.listBackups()).map((b) => b.name)).toEqual(['b1']);
    expect(await api.listJobs()).toEqual([]);
    expect((await api.status()).database?.file_size).toBe(4096);
    expect(api.openDataFolder).toBeUndefined(); // only the window can open a folder
  });

  it('sends bodies as JSON to the right routes', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/': [200, {}], '/api/v1/restore/undo': [204, undefined] });
    const api = createHttpApi({ fetch: f });
    await api.setQuota('a b', 7);
    await api.setActive('ann', false);
    await api.restoreBackup('x.db.zst');
    await api.undoRestore();
    await api.listMediaRoots();
    await api.addMediaRoot('/srv/clips');
    await api.removeMediaRoot('/srv/my clips');
    await api.backupTo('usb', true);
    await api.restoreSet('s.db.zst.age', { passphrase: 'pw pw pw pw' });
    await api.removeDestination('usb');
    expect(calls.map((c) => `${c.method} ${c.url} ${c.body ?? ''}`.trim())).toEqual([
      'POST /api/v1/users/a%20b/quota {"quota":7}',
      'POST /api/v1/users/ann/deactivate',
      'POST /api/v1/backups/x.db.zst/restore',
      'POST /api/v1/restore/undo',
      'GET /api/v1/media-roots',
      'POST /api/v1/media-roots {"path":"/srv/clips"}',
      'DELETE /api/v1/media-roots?path=%2Fsrv%2Fmy+clips',
      'POST /api/v1/backups {"to":"usb","db_only":true}',
      'POST /api/v1/backups/s.db.zst.age/restore {"passphrase":"pw pw pw pw"}',
      'DELETE /api/v1/destinations/usb',
    ]);
  });

  it('delivers server-sent events of every type and closes the stream', () => {
    const listeners = new Map<string, (e: MessageEvent) => void>();
    let closed = false;
    const es = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      addEventListener: (t: string, fn: (e: MessageEvent) => void) => listeners.set(t, fn),
      close: () => (closed = true),
    };
    let opened = '';
    const api = createHttpApi({
      fetch: fakeFetch({}).f,
      eventSource: (url) => ((opened = url), es as unknown as EventSource),
    });
    const got: Notification[] = [];
    const off = api.subscribe((n) => got.push(n));
    expect(opened).toBe('/api/v1/events');
    listeners.get('task')!(new MessageEvent('task', { data: '{"type":"task","task_id":"t1","status":"completed"}' }));
    listeners.get('backup_progress')!(new MessageEvent('backup_progress', { data: '{"type":"backup_progress","progress":40}' }));
    listeners.get('task')!(new MessageEvent('task', { data: 'not json' }));
    expect(got.map((n) => n.type)).toEqual(['task', 'backup_progress']);
    off();
    expect(closed).toBe(true);
  });
  it('tells the page when it is live, reconnecting or signed out', async () => {
    const es = {
      readyState: 1,
      onopen: null as (() => void) | null,
      onerror: null as (() => void) | null,
      onmessage: null,
      addEventListener: () => {},
      close: () => {},
    };
    const { f } = fakeFetch({ '/api/v1/me': [401, { error: { code: 'unauthorized', message: 'The owner session has ended.' } }] });
    const api = createHttpApi({ fetch: f, eventSource: () => es as unknown as EventSource });
    const seen: string[] = [];
    api.watchConnection!((c) => seen.push(c));
    const got: Notification[] = [];
    const off = api.subscribe((n) => got.push(n));
    expect(api.connection!()).toBe('connecting');
    es.onopen!();
    es.readyState = 0;
    es.onerror!();
    es.readyState = 1;
    es.onopen!();
    // Reopened after a drop: the screens reload what they missed.
    expect(got.map((n) => n.type)).toEqual(['resync']);
    es.readyState = 2;
    es.onerror!();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['live', 'reconnecting', 'live', 'reconnecting', 'signed_out']);
    off();
  });

  it('signs out everywhere with DELETE /api/v1/sessions', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/sessions': [200, { ended: 2 }] });
    const api = createHttpApi({ fetch: f });
    await api.signOutEverywhere!();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/v1/sessions']);
    expect(api.connection!()).toBe('signed_out');
  });

  it('sends the library filters as query parameters, to the list and the counts', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/tasks': [200, { tasks: [] }] });
    const api = createHttpApi({ fetch: f });
    await api.listTasks({ starred: true, rating: 4, tags: ['夜景', 'b roll'], collection: 'Trailer v2', limit: 10 });
    await api.countTasks({ trashed: true, tags: ['x'] });
    const q = new URL(calls[0]!.url, 'http://x').searchParams;
    expect(q.get('starred')).toBe('true');
    expect(q.get('rating')).toBe('4');
    expect(q.getAll('tag')).toEqual(['夜景', 'b roll']);
    expect(q.get('collection')).toBe('Trailer v2');
    expect(q.has('trashed')).toBe(false);
    expect(calls[1]!.url).toBe('/api/v1/tasks/counts?tag=x&trashed=true');
  });

  it('calls the library routes of the contract', async () => {
    const { f, calls } = fakeFetch({
      '/api/v1/tasks/trash': [200, { changed: 2 }],
      '/api/v1/trash/restore': [200, { changed: 1 }],
      '/api/v1/trash': [200, { changed: 3 }],
      '/api/v1/tasks/bulk': [200, { matched: 5, changed: 4 }],
      '/api/v1/tasks/t%201/takes': [200, { tasks: [{ task_id: 'o' }, { task_id: 'r' }] }],
      '/api/v1/tasks/t%201': [200, { task_id: 't 1' }],
      '/api/v1/tags': [200, { tags: [{ tag: '夜景', count: 2 }] }],
      '/api/v1/collections/Trailer%20v2/tasks': [200, { changed: 2 }],
      '/api/v1/collections/Trailer%20v2': [200, { name: 'Trailer v3' }],
      '/api/v1/collections': [200, { collections: [{ name: 'Trailer v2', count: 1 }] }],
    });
    const api = createHttpApi({ fetch: f });
    expect((await api.trashTasks(['a', 'b'], false)).changed).toBe(2);
    await api.trashTasks(['a'], true);
    await api.restoreFromTrash(['a']);
    expect((await api.emptyTrash()).changed).toBe(3);
    await api.setStar('t 1', true);
    await api.setRating('t 1', 5);
    await api.tagTask('t 1', ['夜景'], ['old']);
    expect(await api.listTags()).toEqual([{ tag: '夜景', count: 2 }]);
    expect((await api.listCollections()).map((c) => c.name)).toEqual(['Trailer v2']);
    await api.createCollection('Trailer v2');
    await api.renameCollection('Trailer v2', 'Trailer v3');
    await api.setCollectionCover('Trailer v2', 't 1');
    expect(await api.addToCollection('Trailer v2', ['a', 'b'])).toBe(2);
    expect(await api.removeFromCollection('Trailer v2', ['a'])).toBe(2);
    await api.deleteCollection('Trailer v2');
    expect(await api.bulkTasks({ action: 'tag', tag: '夜景', filter: { starred: true } })).toEqual({ matched: 5, changed: 4 });
    await api.rerunTask('t 1', { prompt: 'again' });
    expect((await api.takes('t 1')).map((t) => t.task_id)).toEqual(['o', 'r']);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/v1/tasks/trash', JSON.stringify({ task_ids: ['a', 'b'] })],
      ['POST', '/api/v1/tasks/trash', JSON.stringify({ task_ids: ['a'], delete_files: true })],
      ['POST', '/api/v1/trash/restore', JSON.stringify({ task_ids: ['a'] })],
      ['DELETE', '/api/v1/trash', undefined],
      ['PUT', '/api/v1/tasks/t%201/star', JSON.stringify({ starred: true })],
      ['PUT', '/api/v1/tasks/t%201/rating', JSON.stringify({ rating: 5 })],
      ['POST', '/api/v1/tasks/t%201/tags', JSON.stringify({ add: ['夜景'], remove: ['old'] })],
      ['GET', '/api/v1/tags', undefined],
      ['GET', '/api/v1/collections', undefined],
      ['POST', '/api/v1/collections', JSON.stringify({ name: 'Trailer v2' })],
      ['PATCH', '/api/v1/collections/Trailer%20v2', JSON.stringify({ name: 'Trailer v3' })],
      ['PATCH', '/api/v1/collections/Trailer%20v2', JSON.stringify({ cover_task_id: 't 1' })],
      ['POST', '/api/v1/collections/Trailer%20v2/tasks', JSON.stringify({ task_ids: ['a', 'b'] })],
      ['DELETE', '/api/v1/collections/Trailer%20v2/tasks', JSON.stringify({ task_ids: ['a'] })],
      ['DELETE', '/api/v1/collections/Trailer%20v2', undefined],
      ['POST', '/api/v1/tasks/bulk', JSON.stringify({ action: 'tag', tag: '夜景', filter: { starred: true } })],
      ['POST', '/api/v1/tasks/t%201/rerun', JSON.stringify({ prompt: 'again' })],
      ['GET', '/api/v1/tasks/t%201/takes', undefined],
    ]);
  });

  it('exports picked tasks through a POST body and hands the file over as a download', async () => {
    const saved: [string, string][] = [];
    const calls: Call[] = [];
    const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), method: init?.method ?? 'GET', body: init?.body as string | undefined });
      return new Response('{"tasks":[]}', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="reelvault-export.json"' } });
    }) as typeof fetch;
    const api = createHttpApi({ fetch: f, save: (file, name) => void file.text().then((t) => saved.push([name, t])) });
    expect(await api.exportTasks(['a', 'b c'])).toEqual({ path: 'reelvault-export.json', bytes: 12 });
    expect(calls).toEqual([{ url: '/api/v1/export', method: 'POST', body: JSON.stringify({ task_ids: ['a', 'b c'] }) }]);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(saved).toEqual([['reelvault-export.json', '{"tasks":[]}']]);
  });

  it('refuses an export the server refuses, saving nothing', async () => {
    const { f } = fakeFetch({ '/api/v1/export': [400, { error: { code: 'invalid', message: 'At most 10000 tasks.', field: 'task_ids' } }] });
    let saved = 0;
    const api = createHttpApi({ fetch: f, save: () => void saved++ });
    await expect(api.exportTasks(['a'])).rejects.toMatchObject({ code: 'invalid', field: 'task_ids' });
    expect(saved).toBe(0);
  });

  it('reads and sets the trash retention', async () => {
    const { f, calls } = fakeFetch({ '/api/v1/trash/retention': [200, { trash_retention_days: 7 }] });
    const api = createHttpApi({ fetch: f });
    expect(await api.trashRetention()).toEqual({ trash_retention_days: 7 });
    await api.setTrashRetention(7);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', '/api/v1/trash/retention', undefined],
      ['PUT', '/api/v1/trash/retention', JSON.stringify({ trash_retention_days: 7 })],
    ]);
  });

  it('listens for the library notifications on the event stream', () => {
    const types: string[] = [];
    const es = { addEventListener: (t: string) => types.push(t), close: () => {} };
    createHttpApi({ fetch: fakeFetch({}).f, eventSource: () => es as unknown as EventSource }).subscribe(() => {});
    expect(types).toEqual(expect.arrayContaining(['library', 'trash', 'collection']));
  });
});
