/** Helpers of the uPlot charts that need no DOM, kept apart to be tested. */
import { getLocale, t, type Locale } from '../i18n';

/** A count tick in the language's compact form: 12500 → "12.5K" ("1.3万"), 0.25 → "0.25". */
export function compactNumber(v: number, locale: Locale = getLocale()): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: Math.abs(v) < 1 ? 2 : 1 }).format(v);
}

/**
 * A duration tick in seconds with its unit, with the precision ticks need to
 * differ: 0.0015 → "1.5 ms", 45 → "45 s", 90 → "1.5 min" ("1.5 分钟"), 5400 → "1.5 h".
 */
export function compactDuration(seconds: number, locale: Locale = getLocale()): string {
  const a = Math.abs(seconds);
  const n = (v: number) => ({ n: v.toLocaleString(locale, { maximumSignificantDigits: 3 }) });
  if (a === 0) return t('unit.s', n(0), locale);
  if (a >= 3600) return t('unit.h', { n: Number((seconds / 3600).toFixed(1)).toLocaleString(locale) }, locale);
  if (a >= 60) return t('unit.min', { n: Number((seconds / 60).toFixed(1)).toLocaleString(locale) }, locale);
  if (a >= 1) return t('unit.s', n(seconds), locale);
  return t('unit.ms', n(seconds * 1000), locale);
}

/** A tick of video minutes with its unit: 4.2 → "4.2 min" ("4.2 分钟"). */
export function compactMinutes(minutes: number, locale: Locale = getLocale()): string {
  return t('unit.minutes', { n: compactNumber(minutes, locale) }, locale);
}

/**
 * The width in CSS pixels a y axis needs for its tick labels: the widest
 * label as measured, plus the tick and the gap uPlot draws beside it.
 */
export function axisWidth(labels: readonly string[], measure: (text: string) => number, tick = 10, gap = 5): number {
  let widest = 0;
  for (const l of labels) widest = Math.max(widest, measure(l));
  return Math.ceil(widest + tick + gap + 4);
}

/** The value a series shows in the legend while no day is hovered: its total over the range. */
export function rangeTotal(values: readonly (number | null)[]): number {
  let n = 0;
  for (const v of values) n += v != null && Number.isFinite(v) ? v : 0;
  return n;
}
