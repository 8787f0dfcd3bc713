import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

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

/** An axis tick: 12500 → "12.5k", 0.25 → "0.25". */
function compact(v: number): string {
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toFixed(1))}k`;
  return String(Number(v.toFixed(2)));
}

/** One series of a chart. */
export interface ChartSeries {
  label: string;
  /** A CSS variable name such as --completed. */
  color: string;
  values: number[];
  /** Draw as bars stacked on the series before it; otherwise a line. */
  stacked?: boolean;
  format?: (v: number) => string;
}

/**
 * A chart over days: stacked bars and lines drawn by uPlot, resized with its
 * container and redrawn when the theme changes.
 */
export function Chart({ days, series, height = 220, label }: { days: string[]; series: ChartSeries[]; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    // Stacked bars: each series is drawn as the running sum, largest first,
    // so the smaller sums paint over it; the legend shows the raw value.
    const sums: number[][] = [];
    let running = xs.map(() => 0);
    for (const s of series) {
      if (s.stacked) running = running.map((v, i) => v + (s.values[i] ?? 0));
      sums.push(s.stacked ? running.slice() : s.values);
    }
    const order = series.map((_, i) => i).sort((a, b) => Number(!!series[b]?.stacked) - Number(!!series[a]?.stacked) || b - a);
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const grid = { stroke: cssVar('--border'), width: 1 };
    const axis = { stroke: cssVar('--text-3'), grid, ticks: { stroke: cssVar('--border'), width: 1 } };
    const opts: Options = {
      width: el.clientWidth,
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [{ ...axis }, { ...axis, size: 52, values: (_u, ticks) => ticks.map(compact) }],
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...order.map((i) => {
          const s = series[i] as ChartSeries;
          const color = cssVar(s.color);
          return {
            label: s.label,
            stroke: color,
            fill: s.stacked ? color : undefined,
            width: s.stacked ? 0 : 2,
            paths: s.stacked ? bars : undefined,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
              if (idx == null) return '';
              const raw = s.values[idx] ?? 0;
              return s.format ? s.format(raw) : String(raw);
            },
          };
        }),
      ],
    };
    const data = [xs, ...order.map((i) => sums[i] as number[])] as AlignedData;
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [days, series, height, theme]);
  return <div ref={ref} class="chart" role="img" aria-label={label} />;
}
