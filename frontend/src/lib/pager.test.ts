import { describe, expect, it } from 'vitest';
import type { Task, TaskPage } from '../api/types';
import { Pager, primedState, type PagerState } from './pager';

const task = (id: string) => ({ task_id: id, prompt: id }) as Task;

/** A fetcher over fixed pages keyed by cursor ('' for the first). */
function pages(map: Record<string, TaskPage>) {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    fetch: async (cursor: string | undefined) => {
      asked.push(cursor);
      const p = map[cursor ?? ''];
      if (!p) throw new Error(`no page ${cursor}`);
      return p;
    },
  };
}

describe('Pager', () => {
  it('follows cursors until the last page', async () => {
    const src = pages({
      '': { tasks: [task('a'), task('b')], next_cursor: 'c1' },
      c1: { tasks: [task('c')], next_cursor: 'c2' },
      c2: { tasks: [task('d')] },
    });
    const states: PagerState[] = [];
    const p = new Pager(src.fetch, (s) => states.push(s));
    await p.reset();
    await p.loadMore();
    await p.loadMore();
    await p.loadMore(); // after the last page: no request
    expect(src.asked).toEqual([undefined, 'c1', 'c2']);
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(p.current.done).toBe(true);
    expect(states.some((s) => s.loading)).toBe(true);
  });

  it('fetches one page at a time', async () => {
    const src = pages({ '': { tasks: [task('a')], next_cursor: 'c1' }, c1: { tasks: [task('b')] } });
    const p = new Pager(src.fetch, () => {});
    await p.reset();
    await Promise.all([p.loadMore(), p.loadMore(), p.loadMore()]);
    expect(src.asked).toEqual([undefined, 'c1']);
  });

  it('drops rows already shown when a task moved between pages', async () => {
    const src = pages({ '': { tasks: [task('a'), task('b')], next_cursor: 'c1' }, c1: { tasks: [task('b'), task('c')] } });
    const p = new Pager(src.fetch, () => {});
    await p.reset();
    await p.loadMore();
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['a', 'b', 'c']);
  });

  it('ignores the answer of a page requested before a reset', async () => {
    let release!: (p: TaskPage) => void;
    const slow = () => new Promise<TaskPage>((r) => (release = r));
    const p = new Pager(slow, () => {});
    const old = p.reset();
    const fresh = p.reset(async () => ({ tasks: [task('new')] }));
    release({ tasks: [task('old')], next_cursor: 'x' });
    expect(await Promise.all([old, fresh])).toEqual([false, true]);
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['new']);
    expect(p.current.done).toBe(true);
  });

  it('keeps what it has and can retry after a failed page', async () => {
    let fail = true;
    const p = new Pager(async (cursor) => {
      if (cursor === 'c1' && fail) throw new Error('offline');
      return cursor ? { tasks: [task('b')] } : { tasks: [task('a')], next_cursor: 'c1' };
    }, () => {});
    await p.reset();
    await expect(p.loadMore()).rejects.toThrow('offline');
    expect(p.current).toMatchObject({ loading: false, done: false, cursor: 'c1' });
    fail = false;
    await p.loadMore();
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['a', 'b']);
  });

  it('replaces a loaded task in place', async () => {
    const p = new Pager(async () => ({ tasks: [task('a'), task('b')] }), () => {});
    await p.reset();
    expect(p.update({ ...task('b'), prompt: 'changed' })).toBe(true);
    expect(p.update(task('zzz'))).toBe(false);
    expect(p.current.tasks.map((t) => t.prompt)).toEqual(['a', 'changed']);
  });

  it('puts tasks created since the first page in front, once', async () => {
    const first: TaskPage = { tasks: [task('a'), task('b')], next_cursor: 'c1' };
    const p = new Pager(async () => first, () => undefined);
    await p.reset();
    first.tasks = [task('new'), task('a'), task('b')];
    expect(await p.refreshTop()).toBe(1);
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['new', 'a', 'b']);
    expect(await p.refreshTop()).toBe(0);
    expect(p.current.tasks.length).toBe(3);
  });

  it('starts from a primed page without fetching or telling onChange', async () => {
    const src = pages({ c1: { tasks: [task('c')] } });
    const states: PagerState[] = [];
    const p = new Pager(src.fetch, (s) => states.push(s));
    p.prime({ tasks: [task('a'), task('b')], next_cursor: 'c1' });
    expect(p.current).toEqual(primedState({ tasks: [task('a'), task('b')], next_cursor: 'c1' }));
    expect(states).toEqual([]);
    expect(src.asked).toEqual([]);
    await p.loadMore(); // goes on from the primed page's cursor
    expect(src.asked).toEqual(['c1']);
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['a', 'b', 'c']);
  });

  it('revalidates a primed page with what changed since it was read', async () => {
    const src = pages({ '': { tasks: [task('new'), { ...task('a'), prompt: 'changed' }], next_cursor: 'c1' } });
    const p = new Pager(src.fetch, () => {});
    p.prime({ tasks: [task('a'), task('b')], next_cursor: 'c0' });
    expect(await p.revalidate()).toBe(true);
    expect(p.current.tasks.map((t) => t.prompt)).toEqual(['new', 'changed']);
    expect(p.current.cursor).toBe('c1');
    // Unchanged: nothing is set.
    const states: PagerState[] = [];
    const q = new Pager(src.fetch, (s) => states.push(s));
    q.prime({ tasks: [task('new'), { ...task('a'), prompt: 'changed' }], next_cursor: 'c1' });
    expect(await q.revalidate()).toBe(false);
    expect(states).toEqual([]);
  });

  it('only adds new tasks on revalidating once more pages are loaded', async () => {
    let release!: (p: TaskPage) => void;
    const first = new Promise<TaskPage>((r) => (release = r));
    const p = new Pager(async (cursor) => (cursor === 'c1' ? { tasks: [task('c')] } : first), () => {});
    p.prime({ tasks: [task('a'), task('b')], next_cursor: 'c1' });
    const again = p.revalidate();
    await p.loadMore();
    release({ tasks: [task('new'), task('a')], next_cursor: 'x' });
    expect(await again).toBe(true);
    expect(p.current.tasks.map((t) => t.task_id)).toEqual(['new', 'a', 'b', 'c']);
  });
});
