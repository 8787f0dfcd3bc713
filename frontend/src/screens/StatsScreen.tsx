import { useMemo, useState } from 'preact/hooks';
import { Chart, type ChartSeries } from '../components/Chart';
import { compactDuration } from '../lib/chart';
import { ErrorNotice } from '../components/ErrorNotice';
import { addDays, formatCount, formatDuration, formatPercent, isoDay } from '../lib/format';
import { fillDays, summarize } from '../lib/stats';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';

const PRESETS = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
];

/** One number at a glance. */
function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div class="tile" data-tile={label}>
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {hint && <div class="hint">{hint}</div>}
    </div>
  );
}

/** Statistics per day over a chosen range. */
export function StatsScreen() {
  const today = isoDay(new Date());
  const [range, setRange] = useState({ from: addDays(today, -29), to: today });
  const { data, error, reload } = useAsync(() => api.dailyStats(range.from, range.to), [range.from, range.to]);
  useNotifications((n) => (n.type === 'task' && n.status && n.status !== 'processing') || n.type === 'restore' ? reload() : undefined, [range.from, range.to]);

  const days = useMemo(() => (data ? fillDays(data, range.from, range.to) : []), [data]);
  const sum = useMemo(() => summarize(days), [days]);
  const dates = useMemo(() => days.map((d) => d.date), [days]);
  const taskSeries: ChartSeries[] = useMemo(
    () => [
      { label: 'Completed', color: '--completed', values: days.map((d) => d.completed_tasks), stacked: true },
      { label: 'Failed', color: '--failed', values: days.map((d) => d.failed_tasks), stacked: true },
      { label: 'Cancelled', color: '--cancelled', values: days.map((d) => d.cancelled_tasks), stacked: true },
      {
        label: 'Still open',
        color: '--pending',
        values: days.map((d) => Math.max(0, d.total_tasks - d.completed_tasks - d.failed_tasks - d.cancelled_tasks)),
        stacked: true,
      },
    ],
    [days],
  );
  const timeSeries: ChartSeries[] = useMemo(
    () => [
      { label: 'Average', color: '--processing', values: days.map((d) => (d.completed_tasks > 0 ? d.avg_generation_time : null)), format: formatDuration, summary: formatDuration(sum.avgGenerationTime) },
      { label: 'p95', color: '--cancelled', values: days.map((d) => (d.completed_tasks > 0 ? d.p95_generation_time : null)), format: formatDuration, summary: formatDuration(sum.p95GenerationTime) },
    ],
    [days, sum],
  );
  const minuteSeries: ChartSeries[] = useMemo(
    () => [{ label: 'Video minutes', color: '--completed', values: days.map((d) => d.total_video_seconds / 60), stacked: true, format: (v) => v.toFixed(1) }],
    [days],
  );
  const span = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86400000) + 1;

  return (
    <section class="screen" aria-label="Statistics">
      <div class="screen-head">
        <h1>Statistics</h1>
        <div class="spacer" />
        <div class="segmented" role="group" aria-label="Range">
          {PRESETS.map((p) => (
            <button key={p.days} type="button" aria-pressed={span === p.days && range.to === today} onClick={() => setRange({ from: addDays(today, 1 - p.days), to: today })}>
              {p.label}
            </button>
          ))}
        </div>
        <input class="input" type="date" aria-label="From" value={range.from} max={range.to} onChange={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          if (v) setRange((r) => ({ ...r, from: v }));
        }} />
        <input class="input" type="date" aria-label="To" value={range.to} min={range.from} onChange={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          if (v) setRange((r) => ({ ...r, to: v }));
        }} />
      </div>
      {error !== undefined && <ErrorNotice error={error} onRetry={reload} />}
      <div class="tiles">
        <Tile label="Tasks" value={formatCount(sum.tasks)} hint={`${formatCount(sum.completed)} completed`} />
        <Tile label="Success rate" value={formatPercent(sum.successRate)} hint={`${formatCount(sum.failed)} failed · ${formatCount(sum.cancelled)} cancelled`} />
        <Tile label="Avg generation" value={formatDuration(sum.avgGenerationTime)} hint="completed tasks" />
        <Tile label="p95 generation" value={formatDuration(sum.p95GenerationTime)} hint="slowest day's p95" />
        <Tile label="Videos" value={formatCount(sum.videos)} hint="clips and finals" />
        <Tile label="Video minutes" value={sum.videoMinutes.toFixed(1)} hint={formatDuration(sum.videoMinutes * 60)} />
      </div>
      <div class="card">
        <h2>Tasks per day</h2>
        {days.length > 0 && <Chart label="Tasks per day by status" days={dates} series={taskSeries} />}
      </div>
      <div class="grid-2">
        <div class="card">
          <h2>Generation time</h2>
          {days.length > 0 && <Chart label="Average and p95 generation time per day" days={dates} series={timeSeries} height={180} yFormat={compactDuration} />}
        </div>
        <div class="card">
          <h2>Video minutes</h2>
          {days.length > 0 && <Chart label="Video minutes per day" days={dates} series={minuteSeries} height={180} />}
        </div>
      </div>
    </section>
  );
}
