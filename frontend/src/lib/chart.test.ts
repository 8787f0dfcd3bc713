import { describe, expect, it } from 'vitest';
import { axisWidth, compactDuration, compactNumber, rangeTotal } from './chart';

describe('compactNumber', () => {
  it.each([
    [0, '0'],
    [0.25, '0.25'],
    [999, '999'],
    [1000, '1k'],
    [10000, '10k'],
    [12500, '12.5k'],
    [2_000_000, '2M'],
  ])('%d → %s', (v, want) => expect(compactNumber(v)).toBe(want));
});

describe('compactDuration', () => {
  it.each([
    [0, '0s'],
    [0.0015, '1.5ms'],
    [0.01, '10ms'],
    [0.25, '250ms'],
    [4.25, '4.25s'],
    [45, '45s'],
    [90, '1.5m'],
    [5400, '1.5h'],
  ])('%d → %s', (v, want) => expect(compactDuration(v)).toBe(want));
});

describe('ticks', () => {
  it('keeps neighbouring sub-second ticks apart', () => {
    const ticks = [0, 0.01, 0.02, 0.03].map(compactDuration);
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
