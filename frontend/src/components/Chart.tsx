import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisWidth, compactNumber, rangeTotal } from '../lib/chart';
import { formatCount, formatDay, formatMonthDay } from '../lib/format';
import { t } from '../i18n';

/** Reads a CSS variable of the current theme. */
function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** A number that changes whenever the effective theme does, to redraw with its colours. */
function useThemeVersion(): number {
  const [v, setV] = useState(0);
  useEffect(() => {
    const bump = () => setV((n) => n + 1);
    const mo = new MutationObserver(bump);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const mq = matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', bump);
    return () => {
      mo.disconnect();
      mq.removeEventListener('change', bump);
    };
  }, []);
  return v;
}

/** The font of the axis labels, set on the axes and used to measure them. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

let measureCtx: CanvasRenderingContext2D | null | undefined;

/** The rendered width of text in the axis font, in CSS pixels. */
function measureAxisText(text: string): number {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 8;
  measureCtx.font = AXIS_FONT;
  return measureCtx.measureText(text).width;
}

/** One series of a chart. */
export interface ChartSeries {
  label: string;
  /** A CSS variable name such as --completed. */
  color: string;
  /** One value a day; null leaves a gap in a line (a day with nothing to average). */
  values: (number | null)[];
  /** Draw as bars stacked on the series before it; otherwise a line. */
  stacked?: boolean;
  format?: (v: number) => string;
  /**
   * The legend value while no day is hovered; by default the total over the
   * range for stacked series. Lines (averages) give their own.
   */
  summary?: string;
}

/**
 * A chart over days: stacked bars and lines drawn by uPlot, resized with its
 * container and redrawn when the theme changes. The y axis is as wide as its
 * widest label (ticks use yFormat, compact numbers by default). The legend
 * shows each series' range total while no day is hovered and the day's values
 * with its date while one is.
 */
export function Chart({
  days,
  series,
  height = 220,
  label,
  yFormat = compactNumber,
}: {
  days: string[];
  series: ChartSeries[];
  height?: number;
  label: string;
  yFormat?: (v: number) => string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    // Stacked bars: each series is drawn as the running sum, largest first,
    // so the smaller sums paint over it; the legend shows the raw value.
    const sums: (number | null)[][] = [];
    let running = xs.map(() => 0);
    for (const s of series) {
      if (s.stacked) running = running.map((v, i) => v + (s.values[i] ?? 0));
      sums.push(s.stacked ? running.slice() : s.values);
    }
    const order = series.map((_, i) => i).sort((a, b) => Number(!!series[b]?.stacked) - Number(!!series[a]?.stacked) || b - a);
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const grid = { stroke: cssVar('--border'), width: 1 };
    const axis = { stroke: cssVar('--text-3'), font: AXIS_FONT, grid, ticks: { stroke: cssVar('--border'), width: 1, size: 10 }, gap: 5 };
    const opts: Options = {
      width: el.clientWidth,
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [
        {
          ...axis,
          values: (_u, ticks) => ticks.map((v) => formatMonthDay(new Date(v * 1000))),
          // Room for the widest day label, so ticks never run into each other.
          space: measureAxisText(formatMonthDay(new Date(2026, 11, 28))) + 16,
        },
        { ...axis, values: (_u, ticks) => ticks.map((v) => yFormat(v)), size: (_u, values) => axisWidth(values ?? [], measureAxisText) },
      ],
      hooks: {
        // Marks the legend idle (no day hovered), which hides the day entry.
        setLegend: [(u) => u.root.classList.toggle('rv-idle', u.cursor.idx == null)],
      },
      series: [
        { label: t('chart.day'), value: (_u, v) => (v == null ? '' : formatDay(new Date(v * 1000).toISOString().slice(0, 10))) },
        ...order.map((i) => {
          const s = series[i] as ChartSeries;
          const color = cssVar(s.color);
          return {
            label: s.label,
            stroke: color,
            fill: s.stacked ? color : undefined,
            width: s.stacked ? 0 : 2,
            paths: s.stacked ? bars : undefined,
            // Lines have gaps on days without data: dots keep a lone day visible.
            points: s.stacked ? { show: false } : { show: true, size: 6, fill: color },
            value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
              const fmt = s.format ?? formatCount;
              if (idx == null) return s.summary ?? (s.stacked ? fmt(rangeTotal(s.values)) : '');
              const v = s.values[idx];
              return v == null ? '—' : fmt(v);
            },
          };
        }),
      ],
    };
    const data = [xs, ...order.map((i) => sums[i] as number[])] as AlignedData;
    const plot = new uPlot(opts, data, el);
    plot.root.classList.toggle('rv-idle', plot.cursor.idx == null);
    // Series are drawn largest stack first; list them in the legend in the
    // order they were given. uPlot keeps its own references to the rows.
    const rows = Array.from(plot.root.querySelectorAll('.u-legend .u-series'));
    const legendBody = rows[0]?.parentElement;
    if (legendBody) {
      series.forEach((_, i) => {
        const row = rows[order.indexOf(i) + 1];
        if (row) legendBody.appendChild(row);
      });
    }
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [days, series, height, theme, yFormat]);
  return <div ref={ref} class="chart" role="img" aria-label={label} />;
}
