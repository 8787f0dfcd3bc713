import { describe, expect, it } from 'vitest';
import { NO_FILTERS, collectionHash, historyFromQuery, historyQuery, isFiltered, parseRoute, routeHash } from './route';

describe('routes', () => {
  it.each([
    ['', { screen: 'history' }],
    ['#/stats', { screen: 'stats' }],
    ['#/nope', { screen: 'history' }],
    ['#/task/', { screen: 'history' }],
    ['#/task/3f2a-1', { screen: 'task', taskId: '3f2a-1' }],
  ])('parses %j', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it('round-trips a task route', () => {
    const r = { screen: 'task' as const, taskId: 'a/b c' };
    expect(parseRoute(routeHash(r))).toEqual(r);
  });

  it('keeps a query after the screen', () => {
    const r = parseRoute('#/history?q=paper%20boat&status=failed,completed');
    expect(r.screen).toBe('history');
    expect(r.query?.get('q')).toBe('paper boat');
    expect(routeHash(r)).toBe('#/history?q=paper+boat&status=failed%2Ccompleted');
  });
});

describe('history in the URL', () => {
  it('round-trips filters and the selected task', () => {
    const filters = {
      search: '雨 boat',
      status: ['failed' as const, 'pending' as const],
      username: '李明',
      from: '2026-01-01',
      to: '2026-12-05',
      starred: true,
      rating: 4,
      tags: ['夜景', 'b-roll'],
      collection: 'Trailer v2',
    };
    const hash = routeHash({ screen: 'history', query: historyQuery(filters, 'task-9') });
    expect(historyFromQuery(parseRoute(hash).query)).toEqual({ filters, selected: 'task-9' });
  });

  it('writes nothing for no filters', () => {
    expect(routeHash({ screen: 'history', query: historyQuery(NO_FILTERS) })).toBe('#/history');
    expect(historyFromQuery(undefined)).toEqual({ filters: NO_FILTERS });
  });

  it('drops malformed values instead of filtering by them', () => {
    const q = new URLSearchParams('status=failed,bogus,failed&from=yesterday&to=2026-13');
    expect(historyFromQuery(q).filters).toEqual({ ...NO_FILTERS, status: ['failed'] });
  });

  it('drops a rating out of 1–5 and empty tags', () => {
    const q = new URLSearchParams('rating=9&tag=&tag=%20夜景%20&tag=夜景&starred=yes');
    expect(historyFromQuery(q).filters).toEqual({ ...NO_FILTERS, tags: ['夜景'] });
    expect(historyFromQuery(new URLSearchParams('rating=2.5')).filters.rating).toBe(0);
  });
});

describe('library routes', () => {
  it.each([
    ['#/collections', { screen: 'collections' }],
    ['#/trash', { screen: 'trash' }],
  ])('parses %j', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it('opens a collection as the history filtered by it', () => {
    const r = parseRoute(collectionHash('Trailer v2 & 夜景'));
    expect(r.screen).toBe('history');
    expect(historyFromQuery(r.query).filters).toEqual({ ...NO_FILTERS, collection: 'Trailer v2 & 夜景' });
  });

  it('tells a filtered history from a plain one', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, starred: true })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, tags: ['x'] })).toBe(true);
  });
});
