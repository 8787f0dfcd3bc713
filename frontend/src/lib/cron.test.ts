import { describe, expect, it } from 'vitest';
import { describeCron, describeCronZh, parseCron } from './cron';

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

