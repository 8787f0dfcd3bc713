import type { DayStats } from '../api';

/** The totals of a range of days, as the statistics tiles show them. */
export interface StatsSummary {
  tasks: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** completed / (completed + failed + cancelled); undefined when nothing finished. */
  successRate?: number;
  /** Mean generation time over completed tasks, weighted by each day's completions. */
  avgGenerationTime?: number;
  /** The worst day's p95: a bound on the range's p95, which daily rows cannot give exactly. */
  p95GenerationTime?: number;
  videos: number;
  videoMinutes: number;
}

/** Adds up daily rows. */
export function summarize(days: DayStats[]): StatsSummary {
  let tasks = 0, completed = 0, failed = 0, cancelled = 0, videos = 0, seconds = 0, weighted = 0, p95 = 0;
  for (const d of days) {
    tasks += d.total_tasks;
    completed += d.completed_tasks;
    failed += d.failed_tasks;
    cancelled += d.cancelled_tasks;
    videos += d.total_videos;
    seconds += d.total_video_seconds;
    weighted += d.avg_generation_time * d.completed_tasks;
    if (d.completed_tasks > 0) p95 = Math.max(p95, d.p95_generation_time);
  }
  const finished = completed + failed + cancelled;
  return {
    tasks,
    completed,
    failed,
    cancelled,
    successRate: finished ? completed / finished : undefined,
    avgGenerationTime: completed ? weighted / completed : undefined,
    p95GenerationTime: completed ? p95 : undefined,
    videos,
    videoMinutes: seconds / 60,
  };
}

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive), with zero rows for days without activity. */
export function fillDays(days: DayStats[], from: string, to: string): DayStats[] {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const out: DayStats[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86400000) {
    const date = new Date(t).toISOString().slice(0, 10);
    out.push(
      byDate.get(date) ?? {
        date, total_tasks: 0, completed_tasks: 0, failed_tasks: 0, cancelled_tasks: 0,
        total_videos: 0, total_video_seconds: 0, avg_generation_time: 0, p95_generation_time: 0,
      },
    );
  }
  return out;
}
