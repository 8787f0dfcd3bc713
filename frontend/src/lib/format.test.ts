import { describe, expect, it } from 'vitest';
import { addDays, formatBytes, formatClock, formatCount, formatDateTime, formatDay, formatDecimal, formatDuration, formatMonthDay, formatPercent, formatRelative, isoDay } from './format';

describe('format', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [10 * 1024 * 1024, '10 MB'],
    [5.25 * 1024 ** 3, '5.3 GB'],
    [undefined, '—'],
    [-1, '—'],
  ])('formatBytes(%s) = %s', (n, s) => expect(formatBytes(n)).toBe(s));

  it.each([
    [0, '0 s'],
    [0.0004, '1 ms'],
    [0.042, '42 ms'],
    [0.42, '0.4 s'],
    [9.96, '10 s'],
    [42.4, '42 s'],
    [60, '1 min'],
    [75, '1 min 15 s'],
    [3600, '1 h'],
    [7260, '2 h 1 min'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ])('formatDuration(%s) = %s', (n, s) => expect(formatDuration(n, 'en')).toBe(s));

  it.each([
    [0.042, '42 毫秒'],
    [75, '1 分钟 15 秒'],
    [7260, '2 小时 1 分钟'],
  ])('formatDuration(%s) in Chinese = %s', (n, s) => expect(formatDuration(n, 'zh-CN')).toBe(s));

  it.each([
    [0, '0:00'],
    [75.9, '1:15'],
    [3725, '1:02:05'],
  ])('formatClock(%s) = %s', (n, s) => expect(formatClock(n)).toBe(s));

  it('formats counts and percentages per language', () => {
    expect(formatCount(1234567, 'en')).toBe('1,234,567');
    expect(formatCount(1234567, 'zh-CN')).toBe('1,234,567');
    expect(formatDecimal(12345.67, 'en')).toBe('12,345.7');
    expect(formatPercent(0.9234)).toBe('92.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('does calendar arithmetic on local days', () => {
    expect(isoDay(new Date(2026, 0, 5))).toBe('2026-01-05');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('formats dates per language', () => {
    expect(formatDay('2026-12-05', 'zh-CN')).toBe('2026年12月5日');
    expect(formatDay('2026-12-05', 'en')).toBe('Dec 5, 2026');
    expect(formatMonthDay(new Date(2026, 11, 5), 'zh-CN')).toBe('12月5日');
    expect(formatMonthDay(new Date(2026, 11, 5), 'en')).toBe('Dec 5');
  });

  it('formats local times and relative times', () => {
    const now = new Date(2026, 10, 26, 12, 0, 0);
    const at = (h: number, m: number, day = 26) => new Date(2026, 10, day, h, m).toISOString();
    expect(formatDateTime(at(9, 5), 'en')).toBe('Nov 26, 2026, 09:05');
    expect(formatDateTime(at(9, 5), 'zh-CN')).toBe('2026年11月26日 09:05');
    expect(formatRelative(new Date(now.getTime() - 30_000).toISOString(), now, 'en')).toBe('just now');
    expect(formatRelative(new Date(now.getTime() - 30_000).toISOString(), now, 'zh-CN')).toBe('刚刚');
    expect(formatRelative(at(11, 59), now, 'en')).toBe('1 minute ago');
    expect(formatRelative(at(11, 40), now, 'en')).toBe('20 minutes ago');
    expect(formatRelative(at(11, 40), now, 'zh-CN')).toBe('20分钟前');
    expect(formatRelative(at(8, 0), now, 'en')).toBe('4 hours ago');
    expect(formatRelative(at(8, 0), now, 'zh-CN')).toBe('4小时前');
    expect(formatRelative(at(22, 15, 25), now, 'en')).toBe('yesterday 22:15');
    expect(formatRelative(at(22, 15, 25), now, 'zh-CN')).toBe('昨天 22:15');
    expect(formatRelative(at(10, 0, 20), now, 'en')).toBe('Nov 20, 2026, 10:00');
    expect(formatRelative('garbage', now)).toBe('—');
  });
});
