import { useMemo, useState } from 'preact/hooks';
import { Chart, type ChartSeries } from '../components/Chart';
import { compactDuration, compactMinutes } from '../lib/chart';
import { t } from '../i18n';
import { ErrorNotice } from '../components/ErrorNotice';
import { addDays, formatCount, formatDecimal, formatDuration, formatPercent, isoDay } from '../lib/format';
import { fillDays, summarize } from '../lib/stats';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';

const PRESETS = [7, 30, 90, 365];

/** One number at a glance. */
function Tile({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  return (
    <div class="tile" data-tile={id}>
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

  // The days follow the data, which was loaded for the range: a new range
  // keeps the old days on screen until its own data arrives.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const days = useMemo(() => (data ? fillDays(data, range.from, range.to) : []), [data]);
  const sum = useMemo(() => summarize(days), [days]);
  const dates = useMemo(() => days.map((d) => d.date), [days]);
  const taskSeries: ChartSeries[] = useMemo(
    () => [
      { label: t('status.completed'), color: '--completed', values: days.map((d) => d.completed_tasks), stacked: true },
      { label: t('status.failed'), color: '--failed', values: days.map((d) => d.failed_tasks), stacked: true },
      { label: t('status.cancelled'), color: '--cancelled', values: days.map((d) => d.cancelled_tasks), stacked: true },
      {
        label: t('stats.stillOpen'),
        color: '--pending',
        values: days.map((d) => Math.max(0, d.total_tasks - d.completed_tasks - d.failed_tasks - d.cancelled_tasks)),
        stacked: true,
      },
    ],
    [days],
  );
  const timeSeries: ChartSeries[] = useMemo(
    () => [
      { label: t('stats.average'), color: '--processing', values: days.map((d) => (d.completed_tasks > 0 ? d.avg_generation_time : null)), format: formatDuration, summary: formatDuration(sum.avgGenerationTime) },
      { label: t('stats.p95'), color: '--cancelled', values: days.map((d) => (d.completed_tasks > 0 ? d.p95_generation_time : null)), format: formatDuration, summary: formatDuration(sum.p95GenerationTime) },
    ],
    [days, sum],
  );
  const minuteSeries: ChartSeries[] = useMemo(
    () => [{ label: t('stats.minutes'), color: '--completed', values: days.map((d) => d.total_video_seconds / 60), stacked: true, format: (v) => t('unit.minutes', { n: formatDecimal(v) }) }],
    [days],
  );
  const span = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86400000) + 1;

  return (
    <section class="screen" aria-label={t('stats.title')} data-screen="stats">
      <div class="screen-head">
        <h1>{t('stats.title')}</h1>
        <div class="spacer" />
        <div class="segmented" role="group" aria-label={t('stats.range')}>
          {PRESETS.map((days) => (
            <button key={days} type="button" data-days={days} aria-pressed={span === days && range.to === today} onClick={() => setRange({ from: addDays(today, 1 - days), to: today })}>
              {days === 365 ? t('stats.year') : t('stats.days', { n: days })}
            </button>
          ))}
        </div>
        <input class="input" type="date" aria-label={t('stats.from')} value={range.from} max={range.to} onChange={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          if (v) setRange((r) => ({ ...r, from: v }));
        }} />
        <input class="input" type="date" aria-label={t('stats.to')} value={range.to} min={range.from} onChange={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          if (v) setRange((r) => ({ ...r, to: v }));
        }} />
      </div>
      {error !== undefined && <ErrorNotice error={error} onRetry={reload} />}
      <div class="tiles">
        <Tile id="Tasks" label={t('stats.tasks')} value={formatCount(sum.tasks)} hint={t('stats.completedHint', { n: sum.completed })} />
        <Tile id="Success rate" label={t('stats.successRate')} value={formatPercent(sum.successRate)} hint={t('stats.failedHint', { failed: sum.failed, cancelled: sum.cancelled })} />
        <Tile id="Avg generation" label={t('stats.avgGen')} value={formatDuration(sum.avgGenerationTime)} hint={t('stats.avgHint')} />
        <Tile id="p95 generation" label={t('stats.p95Gen')} value={formatDuration(sum.p95GenerationTime)} hint={t('stats.p95Hint')} />
        <Tile id="Videos" label={t('stats.videos')} value={formatCount(sum.videos)} hint={t('stats.videosHint')} />
        <Tile id="Video minutes" label={t('stats.minutes')} value={formatDecimal(sum.videoMinutes)} hint={formatDuration(sum.videoMinutes * 60)} />
      </div>
      <div class="card">
        <h2>{t('stats.perDay')}</h2>
        {days.length > 0 && <Chart label={t('stats.perDayLabel')} days={dates} series={taskSeries} />}
      </div>
      <div class="grid-2">
        <div class="card">
          <h2>{t('stats.genTime')}</h2>
          {days.length > 0 && <Chart label={t('stats.genTimeLabel')} days={dates} series={timeSeries} height={180} yFormat={compactDuration} />}
        </div>
        <div class="card">
          <h2>{t('stats.minutes')}</h2>
          {days.length > 0 && <Chart label={t('stats.minutesLabel')} days={dates} series={minuteSeries} height={180} yFormat={compactMinutes} />}
        </div>
      </div>
    </section>
  );
}
