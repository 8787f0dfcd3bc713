import { describe, expect, it, vi } from 'vitest';

vi.mock('../state', () => ({ api: {} }));
const { playbackProblem } = await import('./VideoPlayer');

describe('playbackProblem', () => {
  it('says in words why a video cannot play', () => {
    expect(playbackProblem(4)).toMatch(/does not support the file’s format or codec/);
    expect(playbackProblem(3)).toMatch(/codec this player cannot decode/);
    expect(playbackProblem(2)).toMatch(/could not be read/);
    expect(playbackProblem(undefined)).toBe('The video could not be played.');
  });
});
