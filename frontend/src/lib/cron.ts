// Cron expressions (five fields, as the backup schedule uses) in plain words.
// Their next run times come from the server (the schedule's "next").

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface Field {
  values: number[];
  /** The field was "*" (any value). */
  any: boolean;
  /** The step n of a field written as a star with a step, like every n minutes. */
  step?: number;
}

const RANGES: [number, number][] = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 6], // day of week (7 is Sunday too)
];

function parseField(text: string, index: number): Field {
  const [lo, hi] = RANGES[index] as [number, number];
  const values = new Set<number>();
  let any = false;
  let step: number | undefined;
  for (const part of text.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw new SyntaxError(`bad cron field "${text}"`);
    const by = m[3] ? Number(m[3]) : 1;
    if (by < 1) throw new SyntaxError(`bad step in "${text}"`);
    let from: number;
    let to: number;
    if (m[1] === '*') {
      [from, to] = [lo, hi];
      if (text === part) {
        any = by === 1;
        if (by > 1) step = by;
      }
    } else {
      from = Number(m[1]);
      to = m[2] !== undefined ? Number(m[2]) : m[3] ? hi : from;
    }
    const top = index === 4 ? 7 : hi;
    if (from < lo || to > top || from > to) throw new SyntaxError(`"${part}" is out of range ${lo}–${hi}`);
    for (let v = from; v <= to; v += by) values.add(index === 4 && v === 7 ? 0 : v);
  }
  return { values: [...values].sort((a, b) => a - b), any, step };
}

/** A parsed five-field cron expression. */
export interface Cron {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

/** Parses a five-field cron expression or a descriptor like "@daily". Throws SyntaxError. */
export function parseCron(expr: string): Cron {
  const text = DESCRIPTORS[expr.trim()] ?? expr.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new SyntaxError('a schedule needs five fields: minute hour day month weekday');
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, i)) as [Field, Field, Field, Field, Field];
  return { minute, hour, dom, month, dow };
}

const pad = (n: number) => String(n).padStart(2, '0');

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function isRun(values: number[]): boolean {
  return values.length > 2 && values.every((v, i) => i === 0 || v === (values[i - 1] as number) + 1);
}

function dayWords(c: Cron): string {
  const days = c.dow.values;
  let when = 'every day';
  if (!c.dow.any) {
    if (days.join() === '1,2,3,4,5') when = 'every weekday';
    else if (days.join() === '0,6') when = 'every weekend day';
    else if (isRun(days)) when = `every ${DAY_NAMES[days[0] as number]} to ${DAY_NAMES[days[days.length - 1] as number]}`;
    else when = `every ${joinWords(days.map((d) => DAY_NAMES[d] as string))}`;
  }
  if (!c.dom.any) {
    const dates = joinWords(c.dom.values.map(ordinal));
    when = c.dow.any ? `on the ${dates} of every month` : `${when} and on the ${dates} of the month`;
  }
  if (!c.month.any) when += ` in ${joinWords(c.month.values.map((m) => MONTH_NAMES[m - 1] as string))}`;
  return when;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${s}`;
}

/**
 * Describes a cron expression in plain words: "0 3 * * *" → "every day at
 * 03:00". Returns undefined when the expression does not parse.
 */
export function describeCron(expr: string): string | undefined {
  const every = describeEvery(expr, false);
  if (every) return every;
  let c: Cron;
  try {
    c = parseCron(expr);
  } catch {
    return undefined;
  }
  const days = dayWords(c);
  if (c.minute.any) {
    return c.hour.any ? `every minute, ${days}` : `every minute of hour ${joinWords(c.hour.values.map(pad))}, ${days}`;
  }
  if (c.minute.step && c.hour.any) return `every ${c.minute.step} minutes, ${days}`;
  if (c.hour.any || c.hour.step) {
    const past = c.minute.values.length === 1 && c.minute.values[0] === 0 ? 'on the hour' : `at ${joinWords(c.minute.values.map((m) => `:${pad(m)}`))} past`;
    const every = c.hour.step ? `every ${c.hour.step} hours` : 'every hour';
    return `${every} ${past}, ${days}`;
  }
  if (c.hour.values.length * c.minute.values.length > 6) return undefined;
  const times = c.hour.values.flatMap((h) => c.minute.values.map((m) => `${pad(h)}:${pad(m)}`));
  return `${days} at ${joinWords(times)}`;
}

const EVERY = /^@every\s+(\d+)([hms])$/;
const UNITS = { h: ['hour', '小时'], m: ['minute', '分钟'], s: ['second', '秒'] } as const;

/** "@every 6h" in words ("every 6 hours", "每 6 小时"); undefined for other text. */
function describeEvery(expr: string, zh: boolean): string | undefined {
  const m = EVERY.exec(expr.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const [en, cn] = UNITS[m[2] as keyof typeof UNITS];
  if (zh) return n === 1 ? `每${cn}` : `每 ${n} ${cn}`;
  return n === 1 ? `every ${en}` : `every ${n} ${en}s`;
}

const ZH_DAYS = '日一二三四五六';

/**
 * The common schedules in Chinese: every day, on weekdays or on some days of
 * the week at set times, every N hours, @every. Undefined for the rest (the
 * UI then shows the expression itself).
 */
export function describeCronZh(expr: string): string | undefined {
  const every = describeEvery(expr, true);
  if (every) return every;
  let c: Cron;
  try {
    c = parseCron(expr);
  } catch {
    return undefined;
  }
  if (!c.dom.any || !c.month.any || c.minute.any || c.minute.step || c.minute.values.length !== 1) return undefined;
  const minute = c.minute.values[0] as number;
  const days = c.dow.values.join();
  const on = c.dow.any ? '每天' : days === '1,2,3,4,5' ? '每个工作日' : `每周${c.dow.values.map((d) => ZH_DAYS[d]).join('、')}`;
  if (c.hour.any || c.hour.step) {
    const every = c.hour.step ? `每 ${c.hour.step} 小时` : '每小时';
    return `${c.dow.any ? '' : `${on}，`}${every}${minute === 0 ? '整点' : `第 ${minute} 分`}`;
  }
  return `${on} ${c.hour.values.map((h) => `${pad(h)}:${pad(minute)}`).join('、')}`;
}
