import { describe, expect, it } from 'vitest';
import type { DayStats } from '../api/types';
import { fillDays, summarize } from './stats';

const day = (date: string, o: Partial<DayStats>): DayStats => ({
  date, total_tasks: 0, completed_tasks: 0, failed_tasks: 0, cancelled_tasks: 0, total_videos: 0,
  total_video_seconds: 0, avg_generation_time: 0, p95_generation_time: 0, ...o,
});

describe('summarize', () => {
  it('weights the average by completions and bounds p95 by the worst day', () => {
    const s = summarize([
      day('2026-01-01', { total_tasks: 10, completed_tasks: 8, failed_tasks: 2, avg_generation_time: 10, p95_generation_time: 20, total_videos: 9, total_video_seconds: 120 }),
      day('2026-01-02', { total_tasks: 3, completed_tasks: 2, cancelled_tasks: 1, avg_generation_time: 60, p95_generation_time: 90, total_video_seconds: 60 }),
      day('2026-01-03', { total_tasks: 1, failed_tasks: 1, p95_generation_time: 999 }),
    ]);
    expect(s).toMatchObject({ tasks: 14, completed: 10, failed: 3, cancelled: 1, videos: 9, videoMinutes: 3 });
    expect(s.successRate).toBeCloseTo(10 / 14);
    expect(s.avgGenerationTime).toBeCloseTo((8 * 10 + 2 * 60) / 10);
    expect(s.p95GenerationTime).toBe(90);
  });

  it('has no rates when nothing finished', () => {
    const s = summarize([day('2026-01-01', { total_tasks: 2 })]);
    expect(s.successRate).toBeUndefined();
    expect(s.avgGenerationTime).toBeUndefined();
  });
});

describe('fillDays', () => {
  it('fills days without activity with zeros, in order', () => {
    const got = fillDays([day('2026-02-27', { total_tasks: 4 }), day('2026-03-02', { total_tasks: 1 })], '2026-02-27', '2026-03-02');
    expect(got.map((d) => `${d.date}:${d.total_tasks}`)).toEqual(['2026-02-27:4', '2026-02-28:0', '2026-03-01:0', '2026-03-02:1']);
  });
});
