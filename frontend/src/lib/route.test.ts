import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route';

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
});
