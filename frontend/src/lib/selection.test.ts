import { describe, expect, it } from 'vitest';
import type { Task } from '../api/types';
import { NO_PICKS, collectIds, pick, pickedCount } from './selection';

const ids = ['a', 'b', 'c', 'd', 'e'];
const picked = (p: { ids: ReadonlySet<string> }) => [...p.ids].sort();

describe('pick', () => {
  it('ticks and unticks one row', () => {
    const p = pick(NO_PICKS, ids, 1, false);
    expect(picked(p)).toEqual(['b']);
    expect(p.anchor).toBe(1);
    expect(picked(pick(p, ids, 1, false))).toEqual([]);
  });

  it('ticks the range from the last click with shift, either way up', () => {
    const p = pick(pick(NO_PICKS, ids, 3, false), ids, 1, true);
    expect(picked(p)).toEqual(['b', 'c', 'd']);
    expect(picked(pick(pick(NO_PICKS, ids, 0, false), ids, 2, true))).toEqual(['a', 'b', 'c']);
  });

  it('unticks a range when the clicked row was ticked', () => {
    const all = { ids: new Set(ids), anchor: 0, all: false };
    expect(picked(pick(all, ids, 2, true))).toEqual(['d', 'e']);
  });

  it('treats shift without an earlier click as a plain click', () => {
    expect(picked(pick(NO_PICKS, ids, 4, true))).toEqual(['e']);
  });

  it('leaves "all matching" for the loaded rows once a row is clicked', () => {
    const p = pick({ ids: new Set(), all: true }, ids, 0, false);
    expect(p.all).toBe(false);
    expect(picked(p)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('counts all matching from the filter count', () => {
    expect(pickedCount({ ids: new Set(['a']), all: true }, 120)).toBe(120);
    expect(pickedCount({ ids: new Set(['a']), all: false }, 120)).toBe(1);
  });
});

describe('collectIds', () => {
  const task = (id: string) => ({ task_id: id }) as Task;
  it('pages until the last page or max', async () => {
    const pages: Record<string, { tasks: Task[]; next_cursor?: string }> = {
      '': { tasks: [task('a'), task('b')], next_cursor: 'c1' },
      c1: { tasks: [task('c'), task('d')], next_cursor: 'c2' },
      c2: { tasks: [task('e')] },
    };
    const seen: (string | undefined)[] = [];
    const load = async (c: string | undefined) => (seen.push(c), pages[c ?? '']!);
    expect(await collectIds(load, 100)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen).toEqual([undefined, 'c1', 'c2']);
    expect(await collectIds(load, 3)).toEqual(['a', 'b', 'c']);
  });
});
