import { describe, expect, it } from 'vitest';
import { parseTags } from './Tags';

describe('parseTags', () => {
  it('splits on commas of either width, trims and drops blanks and repeats', () => {
    expect(parseTags(' 夜景， b-roll ,, 夜景 ,night sky')).toEqual(['夜景', 'b-roll', 'night sky']);
    expect(parseTags(' , ')).toEqual([]);
  });
});
