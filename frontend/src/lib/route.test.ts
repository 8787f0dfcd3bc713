import { describe, expect, it } from 'vitest';
import { NO_FILTERS, historyFromQuery, historyQuery, parseRoute, routeHash } from './route';

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
    const filters = { search: '雨 boat', status: ['failed' as const, 'pending' as const], username: '李明', from: '2026-01-01', to: '2026-12-05' };
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
});
