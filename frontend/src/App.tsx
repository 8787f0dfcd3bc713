import { useState } from 'preact/hooks';
import { toApiError } from './api';
import { ErrorNotice } from './components/ErrorNotice';
import { Icon, type IconName } from './components/Icon';
import { lazyScreen } from './components/Lazy';
import { UpgradeNotice } from './components/UpgradeNotice';
import { useAsync } from './lib/useAsync';
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from './lib/theme';
import type { Screen } from './lib/route';
import { BackupsScreen } from './screens/BackupsScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { MaintenanceScreen } from './screens/MaintenanceScreen';
import { TaskScreen } from './screens/TaskScreen';
import { UsersScreen } from './screens/UsersScreen';
import { api, useRoute } from './state';

// The charts are the largest library; load them with their screen.
const StatsScreen = lazyScreen(() => import('./screens/StatsScreen').then((m) => m.StatsScreen));

const NAV: { screen: Screen; label: string; icon: IconName; ownerOnly?: boolean }[] = [
  { screen: 'history', label: 'History', icon: 'history' },
  { screen: 'stats', label: 'Statistics', icon: 'stats', ownerOnly: true },
  { screen: 'backups', label: 'Backups', icon: 'backup', ownerOnly: true },
  { screen: 'maintenance', label: 'Maintenance', icon: 'maintenance', ownerOnly: true },
  { screen: 'users', label: 'Users & keys', icon: 'users', ownerOnly: true },
];

const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'auto', light: 'sun', dark: 'moon' };

/** Shown when the browser has no owner session: how to get one. */
function SignIn() {
  const [token, setToken] = useState('');
  return (
    <div class="empty" style={{ marginTop: '12vh' }}>
      <div class="brand-mark" style={{ width: '44px', height: '44px', fontSize: '22px', borderRadius: '12px' }}>▶</div>
      <h3>Open Reelvault with its sign-in link</h3>
      <p class="muted">
        <code>reelvault serve</code> prints a link with a one-time token when it starts. Open that link, or paste the token
        (it is also in the file <code>owner-token</code> in the data directory).
      </p>
      <form class="row" onSubmit={(e) => { e.preventDefault(); location.href = `/?token=${encodeURIComponent(token.trim())}`; }}>
        <input class="input mono" style={{ width: '320px' }} placeholder="Owner token" aria-label="Owner token" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="btn primary" disabled={!token.trim()}>Sign in</button>
      </form>
    </div>
  );
}

/** Shown instead of the screens when the window could not open the database. */
function OpenProblem({ message }: { message: string }) {
  return (
    <div class="empty" style={{ marginTop: '12vh' }} data-testid="open-problem">
      <h3>Reelvault cannot open its database</h3>
      <div class="error-box" role="alert"><div>{message}</div></div>
      <p class="muted">Nothing was changed. Close this window when you have read the message.</p>
    </div>
  );
}

/** The window: a sidebar of screens and the current screen. */
export function App() {
  const route = useRoute();
  const me = useAsync(() => api.me(), []);
  // The window's status says whether opening the database failed or
  // upgraded it; a browser's does not.
  const status = useAsync(() => (api.transport === 'wails' ? api.status() : Promise.resolve(undefined)), []);
  const [theme, setTheme] = useState(loadTheme);
  const owner = me.data?.owner ?? false;
  const current = route.screen === 'task' ? 'history' : route.screen;

  if (me.error !== undefined && toApiError(me.error).code === 'unauthorized') return <SignIn />;
  if (status.data?.open_error) return <OpenProblem message={status.data.open_error} />;
  if (api.transport === 'wails' && status.data === undefined && status.error === undefined) return null;

  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Screens">
        <div class="brand">
          <span class="brand-mark">▶</span> Reelvault
        </div>
        {NAV.filter((n) => !n.ownerOnly || owner).map((n) => (
          <a key={n.screen} class="nav-item" href={`#/${n.screen}`} aria-current={current === n.screen ? 'page' : undefined}>
            <Icon name={n.icon} />
            {n.label}
          </a>
        ))}
        <div class="sidebar-foot">
          <button
            type="button"
            class="btn ghost small"
            style={{ justifyContent: 'flex-start' }}
            onClick={() => {
              const t = nextTheme(theme);
              applyTheme(t);
              setTheme(t);
            }}
            aria-label="Switch theme"
          >
            <Icon name={THEME_ICON[theme]} />
            {THEME_LABEL[theme]}
          </button>
          <div class="live">
            <span class="live-dot" />
            {api.transport === 'wails' ? 'This computer' : location.host}
          </div>
        </div>
      </nav>
      <main class="main">
        {me.error !== undefined && <div style={{ padding: '16px 24px 0' }}><ErrorNotice error={me.error} onRetry={me.reload} /></div>}
        {status.data?.upgrade && <div style={{ padding: '16px 24px 0' }}><UpgradeNotice upgrade={status.data.upgrade} /></div>}
        {/* The history stays mounted under a task, so going back keeps its place. */}
        <HistoryScreen me={me.data} active={route.screen === 'history'} />
        {route.screen === 'task' && route.taskId && <TaskScreen taskId={route.taskId} />}
        {route.screen === 'stats' && <StatsScreen />}
        {route.screen === 'backups' && <BackupsScreen />}
        {route.screen === 'maintenance' && <MaintenanceScreen />}
        {route.screen === 'users' && <UsersScreen />}
      </main>
    </div>
  );
}
