// Formatting of numbers, sizes, durations and times for display.

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

/** Seconds as a short span: 0.04 → "40 ms", 0.4 → "0.4 s", 75 → "1 min 15 s", 7260 → "2 h 1 min". */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds > 0 && seconds < 0.1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  return s ? `${m} min ${s} s` : `${m} min`;
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

/** 12345 → "12,345". */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
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

/** A timestamp as local date and time: "2026-11-26 09:05". */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${isoDay(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How long ago iso was, relative to now: "just now", "5 min ago", "3 h ago", "yesterday", else the date. */
export function formatRelative(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const secs = (now.getTime() - d.getTime()) / 1000;
  if (Number.isNaN(secs)) return '—';
  if (secs < 0) return formatDateTime(iso);
  if (secs < 45) return 'just now';
  if (secs < 3600) return `${Math.max(1, Math.round(secs / 60))} min ago`;
  if (isoDay(d) === isoDay(now)) return `${Math.floor(secs / 3600)} h ago`;
  if (isoDay(d) === addDays(isoDay(now), -1)) return `yesterday ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return formatDateTime(iso);
}
