import type { Api } from './api';
import { ApiError, errorFromWails } from './errors';
import { changedCount, toTaskFilter, unwrap } from './query';
import type { Backup, BackupPlace, Collection, JobRun, Notification, TagCount, Task, TaskPage, User, WindowBoot } from './types';

/** The Wails event under which the window sends domain notifications. */
export const NOTIFICATION_EVENT = 'notification';

/** The Wails event the window sends when notifications were dropped: reload. */
export const RESYNC_EVENT = 'resync';

/**
 * The Go methods the desktop window binds (package desktop, struct App). Each
 * returns a promise that rejects with the formatted {code, message} error.
 */
export interface DesktopBindings {
  ListTasks(filter: Record<string, unknown>): Promise<unknown>;
  CountTasks(filter: Record<string, unknown>): Promise<unknown>;
  GetTask(taskId: string): Promise<unknown>;
  CancelTask(taskId: string): Promise<unknown>;
  DailyStats(from: string, to: string): Promise<unknown>;
  Status(): Promise<unknown>;
  ListUsers(): Promise<unknown>;
  CreateUser(input: unknown): Promise<unknown>;
  RotateKey(username: string): Promise<unknown>;
  SetUserActive(username: string, active: boolean): Promise<unknown>;
  SetUserQuota(username: string, quota: number): Promise<unknown>;
  ListBackups(): Promise<unknown>;
  CreateBackup(): Promise<unknown>;
  RestoreBackup(name: string): Promise<unknown>;
  UndoRestore(): Promise<unknown>;
  ListDestinations(): Promise<unknown>;
  AddDestination(input: unknown): Promise<unknown>;
  RemoveDestination(name: string): Promise<unknown>;
  BackupTo(to: string, dbOnly: boolean): Promise<unknown>;
  RestoreSet(name: string, opts: unknown): Promise<unknown>;
  PreviewTasks(name: string): Promise<unknown>;
  RestoreTasks(name: string, ids: string[]): Promise<unknown>;
  ListProven(): Promise<unknown>;
  RunDrill(name: string): Promise<unknown>;
  DrillSet(req: unknown): Promise<unknown>;
  UploadBackup(base64: string): Promise<unknown>;
  BackupPlace(): Promise<unknown>;
  DeleteBackup(name: string): Promise<unknown>;
  OpenBackupsFolder(): Promise<unknown>;
  GetSchedule(): Promise<unknown>;
  SetSchedule(s: unknown): Promise<unknown>;
  ListJobs(): Promise<unknown>;
  RunMaintenance(op: string): Promise<unknown>;
  ListMediaRoots(): Promise<unknown>;
  AddMediaRoot(path: string): Promise<unknown>;
  RemoveMediaRoot(path: string): Promise<unknown>;
  OpenDataFolder(): Promise<unknown>;
  MediaBaseURL(): Promise<string>;
  OpenVideo(videoId: number): Promise<void>;
  ShowVideo(videoId: number): Promise<void>;
  Storage(): Promise<unknown>;
  Relink(folder: string, dryRun: boolean): Promise<unknown>;
  RemoveVideo(taskId: string, scene: number): Promise<unknown>;
  ReplaceVideo(taskId: string, scene: number, fix: unknown): Promise<unknown>;
  ChooseVideoFile(): Promise<string>;
  TrashTasks(ids: string[], deleteFiles: boolean): Promise<unknown>;
  RestoreFromTrash(ids: string[]): Promise<unknown>;
  EmptyTrash(): Promise<unknown>;
  SetStar(taskId: string, starred: boolean): Promise<unknown>;
  SetRating(taskId: string, rating: number): Promise<unknown>;
  TagTask(taskId: string, add: string[], remove: string[]): Promise<unknown>;
  ListTags(): Promise<unknown>;
  ListCollections(): Promise<unknown>;
  CreateCollection(name: string): Promise<unknown>;
  RenameCollection(name: string, newName: string): Promise<unknown>;
  DeleteCollection(name: string): Promise<unknown>;
  SetCollectionCover(name: string, taskId: string): Promise<unknown>;
  AddToCollection(name: string, ids: string[]): Promise<unknown>;
  RemoveFromCollection(name: string, ids: string[]): Promise<unknown>;
  BulkTasks(req: unknown): Promise<unknown>;
  RerunTask(taskId: string, input: unknown): Promise<unknown>;
  Takes(taskId: string): Promise<unknown>;
  ExportTasks(ids: string[]): Promise<unknown>;
  TrashRetention(): Promise<unknown>;
  SetTrashRetention(days: number): Promise<unknown>;
}

/** The part of the Wails runtime the UI uses. */
export interface WailsRuntime {
  EventsOn(name: string, fn: (...data: unknown[]) => void): () => void;
}

/**
 * Returns the Api over the desktop window's bound Go methods and events;
 * boot is what the window handed over with the page (see readBoot).
 */
export function createWailsApi(app: DesktopBindings, runtime: WailsRuntime, boot?: WindowBoot): Api {
  // Each binding is looked up when called, so a window that does not bind a
  // method yet answers with a readable error instead of a TypeError.
  async function call<T>(name: keyof DesktopBindings, ...args: unknown[]): Promise<T> {
    const fn = (app as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[name];
    if (typeof fn !== 'function') throw new ApiError('not_found', `This version of the window cannot do that (${name}).`);
    try {
      return (await fn(...args)) as T;
    } catch (e) {
      throw errorFromWails(e);
    }
  }
  const list = async <T>(name: keyof DesktopBindings, ...args: unknown[]): Promise<T[]> => (await call<T[] | null>(name, ...args)) ?? [];

  // Videos play from the window's loopback media server: WebKitGTK cannot
  // stream a <video> from the window's own wails:// scheme. Its base URL is
  // asked for once, at once; every other answer waits for it, so no video
  // URL is built before it is known. The window hands it over with the page.
  let mediaBase = boot?.media_base ?? '';
  const mediaReady =
    boot?.media_base !== undefined
      ? Promise.resolve()
      : call<string>('MediaBaseURL').then(
          (b) => void (mediaBase = b || ''),
          () => undefined,
        );
  // The history's first page, handed over with the page: taken once.
  let first = boot?.first_page;
  const answer = async <T>(p: Promise<T>): Promise<T> => {
    const v = await p;
    await mediaReady;
    return v;
  };

  return {
    transport: 'wails',
    // The window is the owner's own: it never runs as an API-key user.
    me: async () => ({ owner: true }),
    windowInfo: () => boot?.info,
    firstPage: (q): TaskPage | undefined => {
      if (!first?.page || JSON.stringify(toTaskFilter(q)) !== JSON.stringify({ limit: first.limit })) return undefined;
      const page = first.page;
      first = undefined;
      return { tasks: page.tasks ?? [], next_cursor: page.next_cursor || undefined };
    },
    listTasks: async (q) => {
      const page = await answer(call<{ tasks: [] | null; next_cursor?: string }>('ListTasks', toTaskFilter(q)));
      return { tasks: page.tasks ?? [], next_cursor: page.next_cursor || undefined };
    },
    countTasks: (q) => call('CountTasks', toTaskFilter({ ...q, cursor: undefined, limit: undefined })),
    getTask: (id) => answer(call('GetTask', id)),
    cancelTask: (id) => call('CancelTask', id),
    dailyStats: (from, to) => list('DailyStats', from, to),
    status: () => call('Status'),
    openDataFolder: async () => {
      await call('OpenDataFolder');
    },
    listUsers: async () => unwrap<User>(await call('ListUsers'), 'users'),
    createUser: (input) => call('CreateUser', input),
    rotateKey: (name) => call('RotateKey', name),
    setActive: (name, active) => call('SetUserActive', name, active),
    setQuota: (name, quota) => call('SetUserQuota', name, quota),
    listBackups: async () => unwrap<Backup>(await call('ListBackups'), 'backups'),
    createBackup: () => call('CreateBackup'),
    restoreBackup: async (name) => {
      await call('RestoreBackup', name);
    },
    undoRestore: async () => {
      await call('UndoRestore');
    },
    listDestinations: () => list('ListDestinations'),
    addDestination: (input) => call('AddDestination', input),
    removeDestination: async (name) => {
      await call('RemoveDestination', name);
    },
    backupTo: (to, dbOnly) => call('BackupTo', to, dbOnly),
    restoreSet: (name, opts) => call('RestoreSet', name, opts),
    previewTasks: (name) => call('PreviewTasks', name),
    restoreTasks: (name, ids) => call('RestoreTasks', name, ids),
    listProven: () => list('ListProven'),
    runDrill: (name) => call('RunDrill', name ?? ''),
    drillSet: (req) => call('DrillSet', req),
    // The bindings carry text: the file goes as base64.
    uploadBackup: async (file) => call('UploadBackup', await toBase64(file)),
    backupPlace: async () => {
      const v = await call<BackupPlace | null>('BackupPlace');
      return { dir: v?.dir, undo: v?.undo ?? undefined };
    },
    deleteBackup: async (name) => {
      await call('DeleteBackup', name);
    },
    openBackupsFolder: async () => {
      await call('OpenBackupsFolder');
    },
    getSchedule: () => call('GetSchedule'),
    setSchedule: (s) => call('SetSchedule', s),
    listJobs: async () => unwrap<JobRun>(await call('ListJobs'), 'jobs'),
    runMaintenance: (op) => call('RunMaintenance', op),
    listMediaRoots: () => call('ListMediaRoots'),
    addMediaRoot: (path) => call('AddMediaRoot', path),
    removeMediaRoot: (path) => call('RemoveMediaRoot', path),
    mediaUrl: (id) => `${mediaBase}/media/${id}`,
    posterUrl: (id) => `${mediaBase}/media/posters/${encodeURIComponent(id)}`,
    storage: () => call('Storage'),
    relink: (folder, dryRun) => call('Relink', folder, dryRun),
    removeVideo: async (id, scene) => {
      await call('RemoveVideo', id, scene);
    },
    replaceVideo: (id, scene, fix) => call('ReplaceVideo', id, scene, fix),
    chooseVideoFile: () => call('ChooseVideoFile'),
    trashTasks: (ids, deleteFiles) => call('TrashTasks', ids, deleteFiles),
    restoreFromTrash: (ids) => call('RestoreFromTrash', ids),
    emptyTrash: () => call('EmptyTrash'),
    setStar: (id, starred) => call('SetStar', id, starred),
    setRating: (id, rating) => call('SetRating', id, rating),
    tagTask: (id, add, remove) => call('TagTask', id, add, remove),
    listTags: async () => unwrap<TagCount>(await call('ListTags'), 'tags'),
    listCollections: async () => unwrap<Collection>(await call('ListCollections'), 'collections'),
    createCollection: (name) => call('CreateCollection', name),
    renameCollection: (name, newName) => call('RenameCollection', name, newName),
    deleteCollection: async (name) => {
      await call('DeleteCollection', name);
    },
    setCollectionCover: (name, taskId) => call('SetCollectionCover', name, taskId),
    addToCollection: async (name, ids) => changedCount(await call('AddToCollection', name, ids)),
    removeFromCollection: async (name, ids) => changedCount(await call('RemoveFromCollection', name, ids)),
    bulkTasks: (req) => call('BulkTasks', req),
    rerunTask: (id, input) => answer(call('RerunTask', id, input)),
    takes: async (id) => unwrap<Task>(await answer(call('Takes', id)), 'tasks'),
    exportTasks: (ids) => call('ExportTasks', ids),
    trashRetention: () => call('TrashRetention'),
    setTrashRetention: (days) => call('SetTrashRetention', days),
    openVideo: (id) => call('OpenVideo', id),
    showVideo: (id) => call('ShowVideo', id),
    subscribe: (fn) => {
      const offs = [
        runtime.EventsOn(NOTIFICATION_EVENT, (n) => fn(n as Notification)),
        runtime.EventsOn(RESYNC_EVENT, () => fn({ type: 'resync' })),
      ];
      return () => offs.forEach((off) => off());
    },
  };
}

/** Encodes a file as base64, in chunks so a large one does not overflow the stack. */
async function toBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
