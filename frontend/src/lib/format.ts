// Formatting of numbers, sizes, durations and times for display, in the
// interface language (see i18n): Intl does separators, dates and relative
// times; the dictionaries hold the short units.
import { getLocale, t, type Locale } from '../i18n';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB" (binary multiples, one decimal below 10). */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/**
 * Seconds as a short span: 0.04 → "40 ms", 0.4 → "0.4 s", 75 → "1 min 15 s",
 * 7260 → "2 h 1 min" (in Chinese "2 小时 1 分钟").
 */
export function formatDuration(seconds: number | undefined | null, locale: Locale = getLocale()): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const u = (key: 'unit.ms' | 'unit.s' | 'unit.min' | 'unit.h', n: number) => t(key, { n: String(n) }, locale);
  if (seconds > 0 && seconds < 0.1) return u('unit.ms', Math.max(1, Math.round(seconds * 1000)));
  if (seconds < 10) return u('unit.s', Number(seconds.toFixed(1)));
  if (seconds < 60) return u('unit.s', Math.round(seconds));
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m ? `${u('unit.h', h)} ${u('unit.min', m)}` : u('unit.h', h);
  return s ? `${u('unit.min', m)} ${u('unit.s', s)}` : u('unit.min', m);
}

/** Seconds as a clock for video lengths: 75.2 → "1:15", 3725 → "1:02:05". */
export function formatClock(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const t = Math.floor(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** 12345 → "12,345" (the language's grouping). */
export function formatCount(n: number | undefined, locale: Locale = getLocale()): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString(locale);
}

/** A number with one decimal: 12345.67 → "12,345.7". */
export function formatDecimal(n: number, locale: Locale = getLocale()): string {
  return n.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** A ratio in [0, 1] as a percentage: 0.9234 → "92.3%"; undefined when there is no ratio. */
export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  const p = ratio * 100;
  return `${p === 100 || p === 0 ? p : p.toFixed(1)}%`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar day of d as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The local day n days after (or before) day. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return isoDay(new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n));
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** A cached Intl.DateTimeFormat (building one is slow, and rows format many times). */
function dtf(locale: Locale, kind: 'date' | 'dateTime' | 'time' | 'monthDay'): Intl.DateTimeFormat {
  const key = `${locale} ${kind}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    const date: Intl.DateTimeFormatOptions = { year: 'numeric', month: locale === 'en' ? 'short' : 'long', day: 'numeric' };
    const time: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    const opts = { date, time, dateTime: { ...date, ...time }, monthDay: { month: 'short', day: 'numeric' } as const }[kind];
    f = new Intl.DateTimeFormat(locale, opts);
    dateTimeFormats.set(key, f);
  }
  return f;
}

function parse(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A timestamp as local date and time: "Nov 26, 2026, 09:05", "2026年11月26日 09:05". */
export function formatDateTime(iso: string | undefined, locale: Locale = getLocale()): string {
  const d = parse(iso);
  return d ? dtf(locale, 'dateTime').format(d) : '—';
}

/** A calendar day (YYYY-MM-DD) as a date: "Dec 5, 2026", "2026年12月5日". */
export function formatDay(day: string, locale: Locale = getLocale()): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return '—';
  return dtf(locale, 'date').format(new Date(y, m - 1, d));
}

/** A chart's day tick: "Dec 5", "12月5日". */
export function formatMonthDay(d: Date, locale: Locale = getLocale()): string {
  return dtf(locale, 'monthDay').format(d);
}

/**
 * How long ago iso was, relative to now: "just now", "5 minutes ago", "3 hours
 * ago", "yesterday 22:15" ("刚刚", "5分钟前", "昨天 22:15"), else the date and time.
 */
export function formatRelative(iso: string | undefined, now: Date = new Date(), locale: Locale = getLocale()): string {
  const d = parse(iso);
  if (!d) return '—';
  const secs = (now.getTime() - d.getTime()) / 1000;
  if (secs < 0) return formatDateTime(iso, locale);
  if (secs < 45) return t('rel.justNow', undefined, locale);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  if (secs < 3600) return rtf.format(-Math.max(1, Math.round(secs / 60)), 'minute');
  if (isoDay(d) === isoDay(now)) return rtf.format(-Math.floor(secs / 3600), 'hour');
  if (isoDay(d) === addDays(isoDay(now), -1)) return t('rel.yesterday', { time: dtf(locale, 'time').format(d) }, locale);
  return formatDateTime(iso, locale);
}
