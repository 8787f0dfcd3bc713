import { describe, expect, it } from 'vitest';
import { describeCron, describeCronZh, nextRuns, parseCron } from './cron';

describe('describeCronZh', () => {
  it.each([
    ['0 3 * * *', '每天 03:00'],
    ['@daily', '每天 00:00'],
    ['0 6,18 * * *', '每天 06:00、18:00'],
    ['15 2 * * 1-5', '每个工作日 02:15'],
    ['0 4 * * 0', '每周日 04:00'],
    ['0 9 * * 1,3', '每周一、三 09:00'],
    ['0 */6 * * *', '每 6 小时整点'],
    ['30 * * * *', '每小时第 30 分'],
    ['0 */2 * * 6', '每周六，每 2 小时整点'],
    ['@every 6h', '每 6 小时'],
    ['@every 1h', '每小时'],
    ['@every 30m', '每 30 分钟'],
  ])('%s → %s', (expr, words) => {
    expect(describeCronZh(expr)).toBe(words);
  });

  it.each(['', '0 0 1 * *', '*/15 * * * *', '0,30 3 * * *', '@every 1h30m', '60 3 * * *'])('leaves %j to the expression', (expr) => {
    expect(describeCronZh(expr)).toBeUndefined();
  });
});

describe('describeCron', () => {
  it.each([
    ['0 3 * * *', 'every day at 03:00'],
    ['30 3 * * *', 'every day at 03:30'],
    ['@daily', 'every day at 00:00'],
    ['0 4 * * 0', 'every Sunday at 04:00'],
    ['0 4 * * 7', 'every Sunday at 04:00'],
    ['15 2 * * 1-5', 'every weekday at 02:15'],
    ['0 9 * * 1,3', 'every Monday and Wednesday at 09:00'],
    ['0 0 1 * *', 'on the 1st of every month at 00:00'],
    ['0 6,18 * * *', 'every day at 06:00 and 18:00'],
    ['15 * * * *', 'every hour at :15 past, every day'],
    ['0 * * * *', 'every hour on the hour, every day'],
    ['0 */6 * * *', 'every 6 hours on the hour, every day'],
    ['*/15 * * * *', 'every 15 minutes, every day'],
    ['@every 6h', 'every 6 hours'],
    ['@every 1m', 'every minute'],
  ])('%s → %s', (expr, words) => {
    expect(describeCron(expr)).toBe(words);
  });

  it.each(['', 'every day', '60 3 * * *', '0 24 * * *', '* * * *', '0 3 * * 8', '5-1 * * * *'])('refuses %j', (expr) => {
    expect(describeCron(expr)).toBeUndefined();
  });
});

describe('parseCron', () => {
  it('expands lists, ranges and steps', () => {
    const c = parseCron('0,30 8-10 */10 1 1-5/2');
    expect(c.minute.values).toEqual([0, 30]);
    expect(c.hour.values).toEqual([8, 9, 10]);
    expect(c.dom.values).toEqual([1, 11, 21, 31]);
    expect(c.dow.values).toEqual([1, 3, 5]);
  });
});

describe('nextRuns', () => {
  it('lists the next daily runs in local time', () => {
    const from = new Date(2026, 10, 26, 2, 59, 30);
    expect(nextRuns('0 3 * * *', from, 3)).toEqual([
      new Date(2026, 10, 26, 3, 0),
      new Date(2026, 10, 27, 3, 0),
      new Date(2026, 10, 28, 3, 0),
    ]);
  });

  it('skips to the next matching weekday', () => {
    // 26 November 2026 is a Thursday; the next Sunday is the 29th.
    expect(nextRuns('0 4 * * 0', new Date(2026, 10, 26, 12, 0), 1)).toEqual([new Date(2026, 10, 29, 4, 0)]);
  });

  it('never returns the starting minute itself', () => {
    expect(nextRuns('0 3 * * *', new Date(2026, 0, 1, 3, 0, 0), 1)).toEqual([new Date(2026, 0, 2, 3, 0)]);
  });

  it('finds 29 February', () => {
    expect(nextRuns('0 0 29 2 *', new Date(2026, 0, 1), 1)).toEqual([new Date(2028, 1, 29, 0, 0)]);
  });

  it('matches either day field when both are restricted (classic cron)', () => {
    // The 1st of December 2026 is a Tuesday; Mondays also match.
    const runs = nextRuns('0 12 1 * 1', new Date(2026, 10, 29, 0, 0), 3);
    expect(runs).toEqual([new Date(2026, 10, 30, 12, 0), new Date(2026, 11, 1, 12, 0), new Date(2026, 11, 7, 12, 0)]);
  });

  it('returns nothing for a bad expression', () => {
    expect(nextRuns('nonsense', new Date(), 3)).toEqual([]);
  });
});
