// Hash routes: #/history, #/task/<id>, #/stats, #/backups, #/maintenance, #/users.

/** The screens of the app. */
export type Screen = 'history' | 'task' | 'stats' | 'backups' | 'maintenance' | 'users';

/** A parsed route. */
export interface Route {
  screen: Screen;
  taskId?: string;
}

const SCREENS: readonly Screen[] = ['history', 'task', 'stats', 'backups', 'maintenance', 'users'];

/** Parses a location hash; anything unknown is the history. */
export function parseRoute(hash: string): Route {
  const [name, ...rest] = hash.replace(/^#\/?/, '').split('/');
  const screen = SCREENS.find((s) => s === name) ?? 'history';
  if (screen === 'task') {
    const taskId = decodeURIComponent(rest.join('/'));
    return taskId ? { screen, taskId } : { screen: 'history' };
  }
  return { screen };
}

/** The hash of a route. */
export function routeHash(r: Route): string {
  return r.screen === 'task' && r.taskId ? `#/task/${encodeURIComponent(r.taskId)}` : `#/${r.screen}`;
}
