import { describe, expect, it } from 'vitest';
import { axisWidth, compactDuration, compactMinutes, compactNumber, rangeTotal } from './chart';

describe('compactNumber', () => {
  it.each([
    [0, 'en', '0'],
    [0.25, 'en', '0.25'],
    [999, 'en', '999'],
    [1000, 'en', '1K'],
    [12500, 'en', '12.5K'],
    [2_000_000, 'en', '2M'],
    [999, 'zh-CN', '999'],
    [12500, 'zh-CN', '1.3万'],
  ] as const)('%d in %s → %s', (v, locale, want) => expect(compactNumber(v, locale)).toBe(want));
});

describe('compactDuration', () => {
  it.each([
    [0, '0 s', '0 秒'],
    [0.0015, '1.5 ms', '1.5 毫秒'],
    [0.25, '250 ms', '250 毫秒'],
    [4.25, '4.25 s', '4.25 秒'],
    [45, '45 s', '45 秒'],
    [90, '1.5 min', '1.5 分钟'],
    [5400, '1.5 h', '1.5 小时'],
  ])('%d → %s / %s: always with a unit', (v, en, zh) => {
    expect(compactDuration(v, 'en')).toBe(en);
    expect(compactDuration(v, 'zh-CN')).toBe(zh);
  });
});

describe('compactMinutes', () => {
  it('puts the unit on every tick, never a bare "4.2m"', () => {
    expect(compactMinutes(4.2, 'en')).toBe('4.2 min');
    expect(compactMinutes(4.2, 'zh-CN')).toBe('4.2 分钟');
  });
});

describe('ticks', () => {
  it('keeps neighbouring sub-second ticks apart', () => {
    const ticks = [0, 0.01, 0.02, 0.03].map((v) => compactDuration(v, 'en'));
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});

describe('axisWidth', () => {
  // Seven pixels a character, as a monospace font would measure.
  const mono = (s: string) => s.length * 7;
  it('fits the widest label', () => {
    expect(axisWidth(['0', '5,000', '10,000'], mono)).toBe(6 * 7 + 10 + 5 + 4);
  });
  it('grows with the labels, so "10,000" is never cut to "0,000"', () => {
    expect(axisWidth(['10,000'], mono)).toBeGreaterThan(axisWidth(['9,000'], mono));
    expect(axisWidth(['10,000'], mono) - 10 - 5).toBeGreaterThanOrEqual(mono('10,000'));
  });
  it('keeps room for the tick alone when there are no labels', () => {
    expect(axisWidth([], mono)).toBe(19);
  });
});

describe('rangeTotal', () => {
  it('adds the days and skips holes', () => {
    expect(rangeTotal([1, 2, Number.NaN, 3])).toBe(6);
    expect(rangeTotal([1, null, 2])).toBe(3);
    expect(rangeTotal([])).toBe(0);
  });
});
