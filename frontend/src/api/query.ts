import type { TaskFilter, TaskQuery } from './types';

/**
 * The items of a listing: both transports answer lists wrapped in an object
 * under one key ({users: […]}, {backups: […]}, {jobs: […]}); a bare array
 * (an older window) is taken too, and null or anything else is empty.
 */
export function unwrap<T>(v: unknown, key: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (typeof v === 'object' && v !== null) {
    const inner = (v as Record<string, unknown>)[key];
    if (Array.isArray(inner)) return inner as T[];
  }
  return [];
}

/** The start of a local calendar day (YYYY-MM-DD) as an RFC 3339 instant. */
export function dayStart(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a date: ${day}`);
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toISOString();
}

/** The start of the day after day, so that "to" includes the whole day. */
export function dayEnd(day: string): string {
  const d = new Date(dayStart(day));
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/**
 * The domain's TaskFilter for q (the JSON the Wails binding takes); dates
 * become instants, an inclusive from and an exclusive to.
 */
export function toTaskFilter(q: TaskQuery): TaskFilter {
  const f: TaskFilter = {};
  if (q.status?.length) f.status = q.status;
  if (q.username) f.username = q.username;
  if (q.from) f.created_from = dayStart(q.from);
  if (q.to) f.created_to = dayEnd(q.to);
  if (q.search?.trim()) f.search = q.search.trim();
  if (q.starred) f.starred = true;
  if (q.rating) f.rating = q.rating;
  if (q.tags?.length) f.tags = q.tags;
  if (q.collection) f.collection = q.collection;
  if (q.trashed) f.trashed = true;
  if (q.cursor) f.cursor = q.cursor;
  if (q.limit) f.limit = q.limit;
  return f;
}

/** The query string of GET /api/v1/tasks for q, without the leading "?". */
export function toSearchParams(q: TaskQuery): string {
  const p = new URLSearchParams();
  for (const s of q.status ?? []) p.append('status', s);
  if (q.username) p.set('username', q.username);
  if (q.from) p.set('created_from', dayStart(q.from));
  if (q.to) p.set('created_to', dayEnd(q.to));
  if (q.search?.trim()) p.set('search', q.search.trim());
  if (q.starred) p.set('starred', 'true');
  if (q.rating) p.set('rating', String(q.rating));
  for (const t of q.tags ?? []) p.append('tag', t);
  if (q.collection) p.set('collection', q.collection);
  if (q.trashed) p.set('trashed', 'true');
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.limit) p.set('limit', String(q.limit));
  return p.toString();
}

/** The number a count answer carries: a bare number (a binding) or {changed: n} (HTTP). */
export function changedCount(v: unknown): number {
  if (typeof v === 'number') return v;
  const n = typeof v === 'object' && v !== null ? (v as { changed?: unknown }).changed : undefined;
  return typeof n === 'number' ? n : 0;
}
