import { describe, expect, it } from 'vitest';
import { createWailsApi, NOTIFICATION_EVENT, RESYNC_EVENT, type DesktopBindings, type WailsRuntime } from './wails';
import type { Notification, Task, WindowBoot } from './types';
import { BOOT_ELEMENT, readBoot } from './boot';
import { historyFromQuery } from '../lib/route';

function fakeRuntime() {
  const handlers = new Map<string, (...d: unknown[]) => void>();
  const runtime: WailsRuntime = {
    EventsOn: (name, fn) => {
      handlers.set(name, fn);
      return () => handlers.delete(name);
    },
  };
  return { runtime, handlers };
}

describe('createWailsApi', () => {
  it('answers the first page the window handed over once, for its query only, without asking', async () => {
    const asked: unknown[] = [];
    const app = {
      ListTasks: async (f: unknown) => (asked.push(f), { tasks: [{ task_id: 'asked' }], next_cursor: '' }),
      MediaBaseURL: async () => (asked.push('MediaBaseURL'), 'http://127.0.0.1:1/s'),
    } as unknown as DesktopBindings;
    const boot: WindowBoot = {
      info: { version: '1.0', upgrade: { from: 1, to: 2, backup: '/b' } },
      media_base: 'http://127.0.0.1:9/secret',
      first_page: { limit: 100, page: { tasks: [{ task_id: 'handed' } as Task], next_cursor: 'c1' } },
    };
    const api = createWailsApi(app, fakeRuntime().runtime, boot);
    expect(api.windowInfo?.()).toEqual(boot.info);
    expect(api.posterUrl('t')).toBe('http://127.0.0.1:9/secret/media/posters/t');
    // A filtered query is not the handed-over page.
    expect(api.firstPage?.({ search: 'rain', limit: 100 })).toBeUndefined();
    // The history's default filters are.
    const filters = historyFromQuery(undefined).filters;
    const q = { ...filters, limit: 100 };
    expect(api.firstPage?.(q)).toEqual({ tasks: [{ task_id: 'handed' }], next_cursor: 'c1' });
    expect(api.firstPage?.(q)).toBeUndefined(); // once
    expect(asked).toEqual([]);
    expect((await api.listTasks(q)).tasks.map((t) => t.task_id)).toEqual(['asked']);
  });

  it('asks for everything without boot data', async () => {
    const app = { MediaBaseURL: async () => 'http://127.0.0.1:1/s', ListTasks: async () => ({ tasks: [], next_cursor: '' }) } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    expect(api.windowInfo?.()).toBeUndefined();
    expect(api.firstPage?.({ limit: 100 })).toBeUndefined();
    await api.listTasks({ limit: 100 }); // waits for the media base
    expect(api.posterUrl('t')).toBe('http://127.0.0.1:1/s/media/posters/t');
  });

  it('reads the boot block of the page, and nothing from a page without one or a broken one', () => {
    const doc = (text?: string) => ({ getElementById: (id: string) => (id === BOOT_ELEMENT && text !== undefined ? ({ textContent: text } as HTMLElement) : null) });
    expect(readBoot(doc('{"info":{"version":"1.0"},"media_base":"m"}'))).toEqual({ info: { version: '1.0' }, media_base: 'm' });
    expect(readBoot(doc())).toBeUndefined();
    expect(readBoot(doc('{not json'))).toBeUndefined();
    expect(readBoot(doc('null'))).toBeUndefined();
    expect(readBoot(doc('{"media_base":"m"}'))).toBeUndefined();
    expect(readBoot(undefined)).toBeUndefined();
  });

  it('passes the filter as the domain TaskFilter', async () => {
    let got: unknown;
    const app = { ListTasks: async (f: unknown) => ((got = f), { tasks: null, next_cursor: '' }) } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    const page = await api.listTasks({ status: ['pending'], search: 'rain', to: '2026-03-01', limit: 20 });
    expect(page).toEqual({ tasks: [], next_cursor: undefined });
    expect(got).toEqual({ status: ['pending'], search: 'rain', created_to: new Date(2026, 2, 2).toISOString(), limit: 20 });
  });

  it('counts with the full filter but no paging', async () => {
    let got: unknown;
    const counts = { pending: 1, processing: 0, completed: 2, failed: 0, cancelled: 0 };
    const app = { CountTasks: async (f: unknown) => ((got = f), counts) } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    expect(await api.countTasks({ status: ['completed'], search: ' rain ', username: 'ann', from: '2026-03-01', cursor: 'c', limit: 9 } as never)).toEqual(counts);
    expect(got).toEqual({ status: ['completed'], search: 'rain', username: 'ann', created_from: new Date(2026, 2, 1).toISOString() });
  });

  it('reads the lists in the shape of the HTTP API', async () => {
    const app = {
      ListUsers: async () => ({ users: [{ username: 'ann' }] }),
      ListBackups: async () => ({ backups: [{ name: 'b1' }] }),
      ListJobs: async () => ({ jobs: [] }),
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    expect((await api.listUsers()).map((u) => u.username)).toEqual(['ann']);
    expect((await api.listBackups()).map((b) => b.name)).toEqual(['b1']);
    expect(await api.listJobs()).toEqual([]);
  });

  it('maps a formatted rejection to an ApiError', async () => {
    const app = { GetTask: async () => Promise.reject({ code: 'not_found', message: 'No such task.' }) } as unknown as DesktopBindings;
    await expect(createWailsApi(app, fakeRuntime().runtime).getTask('x')).rejects.toMatchObject({ code: 'not_found', message: 'No such task.' });
  });

  it('answers not_found for a method the window does not bind', async () => {
    const api = createWailsApi({} as DesktopBindings, fakeRuntime().runtime);
    await expect(api.listJobs()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('replaces and removes a video and chooses a file through the bindings', async () => {
    const got: unknown[][] = [];
    const app = {
      ReplaceVideo: async (...a: unknown[]) => (got.push(['ReplaceVideo', ...a]), { id: 3, scene_number: 0, file_path: '/m/final.mp4' }),
      RemoveVideo: async (...a: unknown[]) => (got.push(['RemoveVideo', ...a]), null),
      ChooseVideoFile: async () => '/m/picked.mp4',
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    expect(await api.replaceVideo('t1', 0, { file_path: '/m/final.mp4' })).toMatchObject({ id: 3, file_path: '/m/final.mp4' });
    expect(await api.removeVideo('t1', 2)).toBeUndefined();
    expect(await api.chooseVideoFile?.()).toBe('/m/picked.mp4');
    expect(got).toEqual([
      ['ReplaceVideo', 't1', 0, { file_path: '/m/final.mp4' }],
      ['RemoveVideo', 't1', 2],
    ]);
  });

  it('answers a replacement refused by the window as an ApiError', async () => {
    const app = { ReplaceVideo: async () => Promise.reject({ code: 'not_found', message: 'Scene 4 has no video.' }) } as unknown as DesktopBindings;
    await expect(createWailsApi(app, fakeRuntime().runtime).replaceVideo('t', 4, { file_path: '/a.mp4' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('calls the media root bindings with the path', async () => {
    const got: string[] = [];
    const roots = { default: '/data/media', roots: ['/srv/clips'] };
    const app = {
      ListMediaRoots: async () => (got.push('list'), roots),
      AddMediaRoot: async (p: string) => (got.push(`add ${p}`), roots),
      RemoveMediaRoot: async (p: string) => (got.push(`remove ${p}`), roots),
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    expect(await api.listMediaRoots()).toEqual(roots);
    await api.addMediaRoot('/srv/clips');
    await api.removeMediaRoot('/srv/clips');
    expect(got).toEqual(['list', 'add /srv/clips', 'remove /srv/clips']);
  });

  it('opens the data folder through the window, and reports why it could not', async () => {
    let calls = 0;
    const ok = { OpenDataFolder: async () => void calls++ } as unknown as DesktopBindings;
    await createWailsApi(ok, fakeRuntime().runtime).openDataFolder?.();
    expect(calls).toBe(1);
    const missing = { OpenDataFolder: async () => Promise.reject({ code: 'conflict', message: 'No file manager could be started.' }) } as unknown as DesktopBindings;
    await expect(createWailsApi(missing, fakeRuntime().runtime).openDataFolder?.()).rejects.toMatchObject({ code: 'conflict' });
  });

  it('is always the owner', async () => {
    expect(await createWailsApi({} as DesktopBindings, fakeRuntime().runtime).me()).toEqual({ owner: true });
  });

  it('forwards notifications and turns resync into a notification', () => {
    const { runtime, handlers } = fakeRuntime();
    const api = createWailsApi({} as DesktopBindings, runtime);
    const got: Notification[] = [];
    const off = api.subscribe((n) => got.push(n));
    handlers.get(NOTIFICATION_EVENT)!({ type: 'task', task_id: 't' });
    handlers.get(RESYNC_EVENT)!();
    expect(got).toEqual([{ type: 'task', task_id: 't' }, { type: 'resync' }]);
    off();
    expect(handlers.size).toBe(0);
  });

  it('plays videos from the media server the window names, once it is known', async () => {
    let resolveBase: (b: string) => void = () => undefined;
    const app = {
      MediaBaseURL: () => new Promise<string>((r) => (resolveBase = r)),
      GetTask: async () => ({ task_id: 't' }),
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    let answered = false;
    const task = api.getTask('t').then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(answered).toBe(false); // a task (and its videos) waits for the base URL
    resolveBase('http://127.0.0.1:4000/s3cret');
    await task;
    expect(api.mediaUrl(7)).toBe('http://127.0.0.1:4000/s3cret/media/7');
  });

  it('falls back to its own /media route without a media server', async () => {
    const api = createWailsApi({ GetTask: async () => ({}) } as unknown as DesktopBindings, fakeRuntime().runtime);
    await api.getTask('t');
    expect(api.mediaUrl(7)).toBe('/media/7');
  });

  it('opens a video in the player and in the file manager', async () => {
    const calls: string[] = [];
    const app = {
      OpenVideo: async (id: number) => void calls.push(`open ${id}`),
      ShowVideo: async (id: number) => void calls.push(`show ${id}`),
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    await api.openVideo?.(3);
    await api.showVideo?.(4);
    expect(calls).toEqual(['open 3', 'show 4']);
  });

  it('passes the library filters in the TaskFilter', async () => {
    let got: unknown;
    const app = { CountTasks: async (f: unknown) => ((got = f), {}) } as unknown as DesktopBindings;
    await createWailsApi(app, fakeRuntime().runtime).countTasks({ starred: true, rating: 3, tags: ['夜景'], collection: 'Trailer v2', trashed: true });
    expect(got).toEqual({ starred: true, rating: 3, tags: ['夜景'], collection: 'Trailer v2', trashed: true });
  });

  it('calls the library bindings with their arguments', async () => {
    const calls: unknown[][] = [];
    const rec = (name: string, answer: unknown) => async (...args: unknown[]) => (calls.push([name, ...args]), answer);
    const app = {
      TrashTasks: rec('TrashTasks', { changed: 2 }),
      RestoreFromTrash: rec('RestoreFromTrash', { changed: 1 }),
      EmptyTrash: rec('EmptyTrash', { changed: 0 }),
      SetStar: rec('SetStar', { task_id: 't' }),
      SetRating: rec('SetRating', { task_id: 't' }),
      TagTask: rec('TagTask', { task_id: 't' }),
      ListTags: rec('ListTags', [{ tag: 'a', count: 1 }]),
      ListCollections: rec('ListCollections', { collections: [{ name: 'c' }] }),
      CreateCollection: rec('CreateCollection', { name: 'c' }),
      RenameCollection: rec('RenameCollection', { name: 'd' }),
      DeleteCollection: rec('DeleteCollection', null),
      SetCollectionCover: rec('SetCollectionCover', { name: 'c' }),
      AddToCollection: rec('AddToCollection', 2),
      RemoveFromCollection: rec('RemoveFromCollection', { changed: 1 }),
      BulkTasks: rec('BulkTasks', { matched: 1, changed: 1 }),
      RerunTask: rec('RerunTask', { task_id: 'r' }),
      Takes: rec('Takes', null),
      ExportTasks: rec('ExportTasks', { path: '/home/a/picked.json', bytes: 12 }),
      TrashRetention: rec('TrashRetention', { trash_retention_days: 30 }),
      SetTrashRetention: rec('SetTrashRetention', { trash_retention_days: 7 }),
    } as unknown as DesktopBindings;
    const api = createWailsApi(app, fakeRuntime().runtime);
    await api.trashTasks(['a'], true);
    await api.restoreFromTrash(['a']);
    await api.emptyTrash();
    await api.setStar('t', false);
    await api.setRating('t', 0);
    await api.tagTask('t', ['x'], []);
    expect(await api.listTags()).toEqual([{ tag: 'a', count: 1 }]);
    expect((await api.listCollections()).map((c) => c.name)).toEqual(['c']);
    await api.createCollection('c');
    await api.renameCollection('c', 'd');
    await api.deleteCollection('d');
    await api.setCollectionCover('c', 't');
    expect(await api.addToCollection('c', ['a', 'b'])).toBe(2);
    expect(await api.removeFromCollection('c', ['a'])).toBe(1);
    await api.bulkTasks({ action: 'star', task_ids: ['a'] });
    expect((await api.rerunTask('t', { prompt: 'p' })).task_id).toBe('r');
    expect(await api.takes('t')).toEqual([]);
    expect(await api.exportTasks(['a', 'b'])).toEqual({ path: '/home/a/picked.json', bytes: 12 });
    expect((await api.trashRetention()).trash_retention_days).toBe(30);
    expect((await api.setTrashRetention(7)).trash_retention_days).toBe(7);
    expect(calls).toEqual([
      ['TrashTasks', ['a'], true],
      ['RestoreFromTrash', ['a']],
      ['EmptyTrash'],
      ['SetStar', 't', false],
      ['SetRating', 't', 0],
      ['TagTask', 't', ['x'], []],
      ['ListTags'],
      ['ListCollections'],
      ['CreateCollection', 'c'],
      ['RenameCollection', 'c', 'd'],
      ['DeleteCollection', 'd'],
      ['SetCollectionCover', 'c', 't'],
      ['AddToCollection', 'c', ['a', 'b']],
      ['RemoveFromCollection', 'c', ['a']],
      ['BulkTasks', { action: 'star', task_ids: ['a'] }],
      ['RerunTask', 't', { prompt: 'p' }],
      ['Takes', 't'],
      ['ExportTasks', ['a', 'b']],
      ['TrashRetention'],
      ['SetTrashRetention', 7],
    ]);
  });
});
