import type { Api, Connection, MaintenanceOp } from './api';
import { ApiError, errorFromHttp } from './errors';
import { changedCount, toSearchParams, unwrap } from './query';
import type { AppStatus, Backup, BackupPlace, Collection, DayStats, DBStatus, DestinationStatus, JobRun, Notification, Proven, StatusCounts, TagCount, Task, UploadResult, User, UserWithKey } from './types';

/** What the HTTP transport needs from its surroundings (injectable for tests). */
export interface HttpDeps {
  fetch: typeof fetch;
  /** Opens the server-sent event stream; absent where EventSource is missing. */
  eventSource?: (url: string) => EventSource;
  /** Prefix of every URL, "" for the page's own origin. */
  base?: string;
  /** Hands a downloaded file to the user; saveBlob (a download link clicked) when absent. */
  save?: (file: Blob, name: string) => void;
}

/** Offers a file to the user as a download, as a link with download would. */
export function saveBlob(file: Blob, name: string): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started once the click is handled; the URL can go soon after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The file name of a Content-Disposition header, or fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(header ?? '');
  return m?.[1] ?? fallback;
}

/** Event names the server sends on /api/v1/events. */
const EVENT_TYPES = ['task', 'video', 'poster', 'library', 'trash', 'collection', 'backup_progress', 'job', 'restore', 'drill', 'resync'];

/** How long to wait before opening a closed event stream again. */
const REOPEN_MS = 3_000;
/** How often a signed-out page checks whether it may sign in again (another tab did). */
const SIGNED_OUT_CHECK_MS = 15_000;

/** Returns the Api over Reelvault's HTTP API (cookie session, SSE). */
export function createHttpApi(deps: HttpDeps): Api {
  const base = deps.base ?? '';

  // Whether the page is live: the event stream is open, is reconnecting,
  // or the owner session is gone (every call answers 401).
  let connection: Connection = 'connecting';
  const connectionListeners = new Set<(c: Connection) => void>();
  function setConnection(c: Connection) {
    if (c === connection) return;
    connection = c;
    connectionListeners.forEach((fn) => fn(c));
  }

  /** Sends a request; an unreachable server is an ApiError. */
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await deps.fetch(base + path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('offline', 'Reelvault is not reachable. Is `reelvault serve` still running?');
    }
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body);
    const text = await res.text();
    if (res.status === 401 && path !== '/api/v1/session') setConnection('signed_out');
    if (!res.ok) throw errorFromHttp(res.status, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('internal', 'Reelvault sent an answer the window could not read.');
    }
  }

  /** GET /api/v1/stats answers the days of a range (to the owner). */
  function stats(from?: string, to?: string): Promise<{ days?: DayStats[]; counts?: StatusCounts }> {
    const p = new URLSearchParams();
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    return call('GET', `/api/v1/stats?${p}`);
  }

  const user = (name: string) => `/api/v1/users/${encodeURIComponent(name)}`;
  const task = (id: string) => `/api/v1/tasks/${encodeURIComponent(id)}`;
  const collection = (name: string) => `/api/v1/collections/${encodeURIComponent(name)}`;

  return {
    transport: 'http',
    me: () => call('GET', '/api/v1/me'),
    listTasks: async (q) => {
      const page = await call<{ tasks?: unknown; next_cursor?: string }>('GET', `/api/v1/tasks?${toSearchParams(q)}`);
      return { tasks: unwrap(page, 'tasks'), next_cursor: page?.next_cursor || undefined };
    },
    // The list's filters without its paging: GET /api/v1/tasks/counts takes
    // the same query parameters as GET /api/v1/tasks.
    countTasks: (q) => call<StatusCounts>('GET', `/api/v1/tasks/counts?${toSearchParams({ ...q, cursor: undefined, limit: undefined })}`),
    getTask: (id) => call('GET', `/api/v1/tasks/${encodeURIComponent(id)}`),
    cancelTask: (id) => call('POST', `/api/v1/tasks/${encodeURIComponent(id)}/cancel`),
    dailyStats: async (from, to) => (await stats(from, to)).days ?? [],
    status: async () => {
      const v = await call<AppStatus | DBStatus>('GET', '/api/v1/status');
      // The server answers with the database facts alone.
      return 'engine' in v ? { database: v } : v;
    },
    listUsers: async () => unwrap<User>(await call('GET', '/api/v1/users'), 'users'),
    createUser: (input) => call<UserWithKey>('POST', '/api/v1/users', input),
    rotateKey: (name) => call<UserWithKey>('POST', `${user(name)}/rotate-key`),
    setActive: (name, active) => call('POST', `${user(name)}/${active ? 'activate' : 'deactivate'}`),
    setQuota: (name, quota) => call('POST', `${user(name)}/quota`, { quota }),
    listBackups: async () => unwrap<Backup>(await call('GET', '/api/v1/backups'), 'backups'),
    createBackup: () => call('POST', '/api/v1/backups'),
    restoreBackup: (name) => call('POST', `/api/v1/backups/${encodeURIComponent(name)}/restore`),
    undoRestore: () => call('POST', '/api/v1/restore/undo'),
    listDestinations: async () => unwrap<DestinationStatus>(await call('GET', '/api/v1/destinations'), 'destinations'),
    addDestination: (input) => call('POST', '/api/v1/destinations', input),
    removeDestination: async (name) => {
      await call('DELETE', `/api/v1/destinations/${encodeURIComponent(name)}`);
    },
    backupTo: (to, dbOnly) => call('POST', '/api/v1/backups', { to, db_only: dbOnly }),
    restoreSet: (name, opts) => call('POST', `/api/v1/backups/${encodeURIComponent(name)}/restore`, opts),
    previewTasks: (name) => call('GET', `/api/v1/backups/${encodeURIComponent(name)}/preview`),
    restoreTasks: (name, ids) => call('POST', `/api/v1/backups/${encodeURIComponent(name)}/restore-tasks`, { tasks: ids }),
    listProven: async () => unwrap<Proven>(await call('GET', '/api/v1/drills'), 'proven'),
    runDrill: (name) => call('POST', '/api/v1/drills', name ? { name } : {}),
    drillSet: (req) => call('POST', '/api/v1/drills', req),
    uploadBackup: async (file) => {
      let res: Response;
      try {
        res = await deps.fetch(base + '/api/v1/backups/upload', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream' },
          body: file,
        });
      } catch {
        throw new ApiError('offline', 'Reelvault is not reachable. Is `reelvault serve` still running?');
      }
      const text = await res.text();
      if (!res.ok) throw errorFromHttp(res.status, text);
      return JSON.parse(text) as UploadResult;
    },
    backupPlace: async () => {
      const v = await call<{ dir?: string; undo?: BackupPlace['undo'] }>('GET', '/api/v1/backups');
      return { dir: v?.dir, undo: v?.undo ?? undefined };
    },
    deleteBackup: (name) => call('DELETE', `/api/v1/backups/${encodeURIComponent(name)}`),
    backupDownloadUrl: (name) => `${base}/api/v1/backups/${encodeURIComponent(name)}/download`,
    getSchedule: () => call('GET', '/api/v1/schedule'),
    setSchedule: (s) => call('PUT', '/api/v1/schedule', s),
    listJobs: async () => unwrap<JobRun>(await call('GET', '/api/v1/jobs'), 'jobs'),
    runMaintenance: (op: MaintenanceOp) => call('POST', `/api/v1/maintenance/${op}`),
    listMediaRoots: () => call('GET', '/api/v1/media-roots'),
    addMediaRoot: (path) => call('POST', '/api/v1/media-roots', { path }),
    removeMediaRoot: (path) => call('DELETE', `/api/v1/media-roots?${new URLSearchParams({ path })}`),
    mediaUrl: (id) => `${base}/media/${id}`,
    posterUrl: (id) => `${base}/media/posters/${encodeURIComponent(id)}`,
    storage: () => call('GET', '/api/v1/storage'),
    relink: (folder, dryRun) => call('POST', '/api/v1/relink', { folder, dry_run: dryRun }),
    removeVideo: async (id, scene) => {
      await call('DELETE', `/api/v1/tasks/${encodeURIComponent(id)}/videos/${scene}`);
    },
    replaceVideo: (id, scene, fix) => call('PUT', `/api/v1/tasks/${encodeURIComponent(id)}/videos/${scene}`, fix),
    trashTasks: (ids, deleteFiles) => call('POST', '/api/v1/tasks/trash', deleteFiles ? { task_ids: ids, delete_files: true } : { task_ids: ids }),
    restoreFromTrash: (ids) => call('POST', '/api/v1/trash/restore', { task_ids: ids }),
    emptyTrash: () => call('DELETE', '/api/v1/trash'),
    setStar: (id, starred) => call('PUT', `${task(id)}/star`, { starred }),
    setRating: (id, rating) => call('PUT', `${task(id)}/rating`, { rating }),
    tagTask: (id, add, remove) => call('POST', `${task(id)}/tags`, { add, remove }),
    listTags: async () => unwrap<TagCount>(await call('GET', '/api/v1/tags'), 'tags'),
    listCollections: async () => unwrap<Collection>(await call('GET', '/api/v1/collections'), 'collections'),
    createCollection: (name) => call('POST', '/api/v1/collections', { name }),
    renameCollection: (name, newName) => call('PATCH', collection(name), { name: newName }),
    deleteCollection: async (name) => {
      await call('DELETE', collection(name));
    },
    setCollectionCover: (name, taskId) => call('PATCH', collection(name), { cover_task_id: taskId }),
    addToCollection: async (name, ids) => changedCount(await call('POST', `${collection(name)}/tasks`, { task_ids: ids })),
    removeFromCollection: async (name, ids) => changedCount(await call('DELETE', `${collection(name)}/tasks`, { task_ids: ids })),
    bulkTasks: (req) => call('POST', '/api/v1/tasks/bulk', req),
    rerunTask: (id, input) => call('POST', `${task(id)}/rerun`, input),
    takes: async (id) => unwrap<Task>(await call('GET', `${task(id)}/takes`), 'tasks'),
    // The IDs go in a POST body: 10,000 of them do not fit in a URL.
    exportTasks: async (ids) => {
      const res = await send('POST', '/api/v1/export', { task_ids: ids });
      if (!res.ok) throw errorFromHttp(res.status, await res.text());
      const file = await res.blob();
      const name = attachmentName(res.headers.get('Content-Disposition'), 'reelvault-export.json');
      (deps.save ?? saveBlob)(file, name);
      return { path: name, bytes: file.size };
    },
    trashRetention: () => call('GET', '/api/v1/trash/retention'),
    setTrashRetention: (days) => call('PUT', '/api/v1/trash/retention', { trash_retention_days: days }),
    signOutEverywhere: async () => {
      await call('DELETE', '/api/v1/sessions');
      setConnection('signed_out');
    },
    connection: () => connection,
    watchConnection: (fn) => {
      connectionListeners.add(fn);
      return () => connectionListeners.delete(fn);
    },
    subscribe: (fn) => {
      if (!deps.eventSource) return () => {};
      let es: EventSource | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      let dropped = false;
      const deliver = (ev: MessageEvent) => {
        try {
          fn(JSON.parse(String(ev.data)) as Notification);
        } catch {
          // A comment or keep-alive line; nothing to deliver.
        }
      };
      const later = (ms: number, then: () => void) => {
        clearTimeout(timer);
        timer = setTimeout(() => !stopped && then(), ms);
      };
      // A closed stream (the server refused it, or it ended) is opened
      // again once /me answers; while the session is gone, /me is asked now
      // and then, so signing in from another tab brings this one back.
      const recover = () => {
        call('GET', '/api/v1/me').then(
          () => !stopped && open(),
          () => later(connection === 'signed_out' ? SIGNED_OUT_CHECK_MS : REOPEN_MS, recover),
        );
      };
      const open = () => {
        const s = deps.eventSource!(`${base}/api/v1/events`);
        es = s;
        s.onopen = () => {
          setConnection('live');
          // Whatever happened while the stream was down was missed.
          if (dropped) fn({ type: 'resync' });
          dropped = false;
        };
        s.onerror = () => {
          dropped = true;
          if (connection !== 'signed_out') setConnection('reconnecting');
          if (s.readyState === 2 /* CLOSED */) {
            s.close();
            later(0, recover);
          }
        };
        s.onmessage = deliver;
        for (const t of EVENT_TYPES) s.addEventListener(t, deliver as EventListener);
      };
      open();
      return () => {
        stopped = true;
        clearTimeout(timer);
        es?.close();
      };
    },
  };
}
