/** Helpers of the uPlot charts that need no DOM, kept apart to be tested. */

/** A count tick: 12500 → "12.5k", 2000000 → "2M", 0.25 → "0.25". */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toFixed(1))}M`;
  if (a >= 1000) return `${Number((v / 1000).toFixed(1))}k`;
  return String(Number(v.toFixed(2)));
}

/**
 * A duration tick in seconds, with the precision ticks need to differ:
 * 0.0015 → "1.5ms", 0.25 → "250ms", 45 → "45s", 90 → "1.5m", 5400 → "1.5h".
 */
export function compactDuration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a === 0) return '0s';
  if (a >= 3600) return `${Number((seconds / 3600).toFixed(1))}h`;
  if (a >= 60) return `${Number((seconds / 60).toFixed(1))}m`;
  if (a >= 1) return `${Number(seconds.toPrecision(3))}s`;
  return `${Number((seconds * 1000).toPrecision(3))}ms`;
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
