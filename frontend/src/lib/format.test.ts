import { describe, expect, it } from 'vitest';
import { addDays, formatBytes, formatClock, formatCount, formatDateTime, formatDuration, formatPercent, formatRelative, isoDay } from './format';

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
  ])('formatDuration(%s) = %s', (n, s) => expect(formatDuration(n)).toBe(s));

  it.each([
    [0, '0:00'],
    [75.9, '1:15'],
    [3725, '1:02:05'],
  ])('formatClock(%s) = %s', (n, s) => expect(formatClock(n)).toBe(s));

  it('formats counts and percentages', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPercent(0.9234)).toBe('92.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('does calendar arithmetic on local days', () => {
    expect(isoDay(new Date(2026, 0, 5))).toBe('2026-01-05');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('formats local times and relative times', () => {
    const now = new Date(2026, 10, 26, 12, 0, 0);
    const at = (h: number, m: number, day = 26) => new Date(2026, 10, day, h, m).toISOString();
    expect(formatDateTime(at(9, 5))).toBe('2026-11-26 09:05');
    expect(formatRelative(new Date(now.getTime() - 30_000).toISOString(), now)).toBe('just now');
    expect(formatRelative(at(11, 59), now)).toBe('1 min ago');
    expect(formatRelative(at(11, 40), now)).toBe('20 min ago');
    expect(formatRelative(at(8, 0), now)).toBe('4 h ago');
    expect(formatRelative(at(22, 15, 25), now)).toBe('yesterday 22:15');
    expect(formatRelative(at(10, 0, 20), now)).toBe('2026-11-20 10:00');
    expect(formatRelative('garbage', now)).toBe('—');
  });
});
