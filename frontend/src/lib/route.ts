// Hash routes: #/history, #/task/<id>, #/collections, #/trash, #/stats, #/storage,
// #/backups, #/maintenance, #/users; any of them may carry a query after "?" (the history keeps its
// filters and selected task there, so reload and bookmarks keep them).
import { STATUSES, type Status } from '../api/types';

/** The screens of the app. */
export type Screen = 'history' | 'task' | 'collections' | 'trash' | 'stats' | 'storage' | 'backups' | 'maintenance' | 'users';

/** A parsed route. */
export interface Route {
  screen: Screen;
  taskId?: string;
  /** The parameters after "?", if any. */
  query?: URLSearchParams;
}

const SCREENS: readonly Screen[] = ['history', 'task', 'collections', 'trash', 'stats', 'storage', 'backups', 'maintenance', 'users'];

/** Parses a location hash; anything unknown is the history. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? undefined : new URLSearchParams(raw.slice(q + 1));
  const [name, ...rest] = path.split('/');
  const screen = SCREENS.find((s) => s === name) ?? 'history';
  if (screen === 'task') {
    const taskId = decodeURIComponent(rest.join('/'));
    return taskId ? { screen, taskId } : { screen: 'history' };
  }
  return query && [...query.keys()].length ? { screen, query } : { screen };
}

/** The hash of a route. */
export function routeHash(r: Route): string {
  const base = r.screen === 'task' && r.taskId ? `#/task/${encodeURIComponent(r.taskId)}` : `#/${r.screen}`;
  const q = r.query?.toString();
  return q ? `${base}?${q}` : base;
}

/** The filters of the history and its selected task. */
export interface HistoryFilters {
  search: string;
  status: Status[];
  username: string;
  /** A local day, YYYY-MM-DD, or empty. */
  from: string;
  to: string;
  /** Only starred tasks. */
  starred: boolean;
  /** The least rating, 1–5; 0 for any. */
  rating: number;
  /** Tags a task must all carry. */
  tags: string[];
  /** A collection's name, or empty. */
  collection: string;
}

/** No filter at all. */
export const NO_FILTERS: HistoryFilters = { search: '', status: [], username: '', from: '', to: '', starred: false, rating: 0, tags: [], collection: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The history's filters and selected task from a route's query; anything malformed is left out. */
export function historyFromQuery(q: URLSearchParams | undefined): { filters: HistoryFilters; selected?: string } {
  const get = (k: string) => q?.get(k) ?? '';
  const day = (k: string) => (DAY.test(get(k)) ? get(k) : '');
  const status = get('status').split(',').filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  const rating = Number(get('rating'));
  const filters: HistoryFilters = {
    search: get('q'),
    status: [...new Set(status)],
    username: get('user'),
    from: day('from'),
    to: day('to'),
    starred: get('starred') === '1',
    rating: Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : 0,
    tags: [...new Set((q?.getAll('tag') ?? []).map((t) => t.trim()).filter(Boolean))],
    collection: get('collection'),
  };
  const sel = get('sel');
  return sel ? { filters, selected: sel } : { filters };
}

/** The query that holds the history's filters and selected task (only what is set). */
export function historyQuery(f: HistoryFilters, selected?: string): URLSearchParams {
  const q = new URLSearchParams();
  if (f.search) q.set('q', f.search);
  if (f.status.length) q.set('status', f.status.join(','));
  if (f.username) q.set('user', f.username);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.starred) q.set('starred', '1');
  if (f.rating) q.set('rating', String(f.rating));
  for (const t of f.tags) q.append('tag', t);
  if (f.collection) q.set('collection', f.collection);
  if (selected) q.set('sel', selected);
  return q;
}

/** Whether any filter is set. */
export function isFiltered(f: HistoryFilters): boolean {
  return Boolean(f.search || f.status.length || f.username || f.from || f.to || f.starred || f.rating || f.tags.length || f.collection);
}

/** The hash of the history showing one collection. */
export function collectionHash(name: string): string {
  return routeHash({ screen: 'history', query: historyQuery({ ...NO_FILTERS, collection: name }) });
}
