import { describe, expect, it } from 'vitest';
import { computeWindow, nearEnd, scrollToReveal } from './windowing';

describe('computeWindow', () => {
  it('renders the visible rows plus overscan at the top', () => {
    expect(computeWindow(0, 640, 64, 100_000, 4)).toEqual({ start: 0, end: 14, offsetTop: 0, totalHeight: 6_400_000 });
  });

  it('renders the same number of rows deep in a long list', () => {
    const w = computeWindow(64 * 50_000 + 10, 640, 64, 100_000, 4);
    expect(w.start).toBe(49_996);
    expect(w.end).toBe(50_015);
    expect(w.offsetTop).toBe(49_996 * 64);
    expect(w.end - w.start).toBeLessThanOrEqual(640 / 64 + 1 + 8);
  });

  it('clamps a scroll past the end (elastic scrolling, shrunk list)', () => {
    const w = computeWindow(1e9, 640, 64, 30, 2);
    expect(w.end).toBe(30);
    expect(w.start).toBe(30 - 10 - 2);
  });

  it('clamps a negative scroll', () => {
    expect(computeWindow(-300, 640, 64, 30, 0).start).toBe(0);
  });

  it('renders nothing for an empty list', () => {
    expect(computeWindow(0, 640, 64, 0)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });

  it('renders all rows of a list shorter than the viewport', () => {
    expect(computeWindow(0, 640, 64, 3, 4)).toMatchObject({ start: 0, end: 3 });
  });
});

describe('scrollToReveal', () => {
  it('keeps the scroll when the row is visible', () => {
    expect(scrollToReveal(5, 0, 640, 64)).toBe(0);
  });
  it('scrolls down just enough to show a row below', () => {
    expect(scrollToReveal(10, 0, 640, 64)).toBe(64);
  });
  it('scrolls up to a row above', () => {
    expect(scrollToReveal(3, 640, 640, 64)).toBe(192);
  });
});

describe('nearEnd', () => {
  it('asks for more within the threshold of the loaded rows', () => {
    const w = computeWindow(64 * 80, 640, 64, 100, 0);
    expect(nearEnd(w, 100, 5)).toBe(false);
    expect(nearEnd(w, 100, 10)).toBe(true);
  });
});
