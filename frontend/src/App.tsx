import { useEffect, useState } from 'preact/hooks';
import { toApiError } from './api';
import { ErrorNotice } from './components/ErrorNotice';
import { Icon, type IconName } from './components/Icon';
import { lazyScreen } from './components/Lazy';
import { UpgradeNotice } from './components/UpgradeNotice';
import { useAsync } from './lib/useAsync';
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from './lib/theme';
import type { Screen } from './lib/route';
import { Toaster } from './components/Toast';
import { BackupsScreen } from './screens/BackupsScreen';
import { CollectionsScreen } from './screens/CollectionsScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { MaintenanceScreen } from './screens/MaintenanceScreen';
import { StorageScreen } from './screens/StorageScreen';
import { TaskScreen } from './screens/TaskScreen';
import { TrashScreen } from './screens/TrashScreen';
import { UsersScreen } from './screens/UsersScreen';
import { api, useConnection, useRoute } from './state';
import { SessionLost } from './components/SessionCard';
import type { Connection } from './api';
import { getLocale, setLocale, t, tx, useLocale, type MessageKey } from './i18n';

// The charts are the largest library; load them with their screen.
const StatsScreen = lazyScreen(() => import('./screens/StatsScreen').then((m) => m.StatsScreen));

const NAV: { screen: Screen; label: MessageKey; icon: IconName; ownerOnly?: boolean }[] = [
  { screen: 'history', label: 'nav.history', icon: 'history' },
  { screen: 'collections', label: 'nav.collections', icon: 'folder' },
  { screen: 'trash', label: 'nav.trash', icon: 'trash' },
  { screen: 'stats', label: 'nav.stats', icon: 'stats', ownerOnly: true },
  { screen: 'storage', label: 'nav.storage', icon: 'storage' },
  { screen: 'backups', label: 'nav.backups', icon: 'backup', ownerOnly: true },
  { screen: 'maintenance', label: 'nav.maintenance', icon: 'maintenance', ownerOnly: true },
  { screen: 'users', label: 'nav.users', icon: 'users', ownerOnly: true },
];

const CONNECTION_LABEL: Record<Connection, MessageKey> = {
  connecting: 'live.connecting',
  live: 'live.live',
  reconnecting: 'live.reconnecting',
  signed_out: 'live.signedOut',
};

const THEME_LABEL: Record<ThemeChoice, MessageKey> = { system: 'theme.system', light: 'theme.light', dark: 'theme.dark' };
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'auto', light: 'sun', dark: 'moon' };

/** Shown when the browser has no owner session: how to get one. */
function SignIn() {
  const [token, setToken] = useState('');
  return (
    <div class="empty" style={{ marginTop: '12vh' }}>
      <div class="brand-mark" style={{ width: '44px', height: '44px', fontSize: '22px', borderRadius: '12px' }}>▶</div>
      <h3>{t('signin.title')}</h3>
      <p class="muted">{tx('signin.body', { serve: <code>reelvault serve</code>, link: <code>reelvault link</code>, file: <code>owner-token</code> })}</p>
      <form class="row" onSubmit={(e) => { e.preventDefault(); location.href = `/?token=${encodeURIComponent(token.trim())}`; }}>
        <input class="input mono" style={{ width: '320px', maxWidth: '100%' }} placeholder={t('signin.token')} aria-label={t('signin.token')} value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="btn primary" disabled={!token.trim()}>{t('signin.submit')}</button>
      </form>
    </div>
  );
}

/** Shown instead of the screens when the window could not open the database. */
function OpenProblem({ message }: { message: string }) {
  return (
    <div class="empty" style={{ marginTop: '12vh' }} data-testid="open-problem">
      <h3>{t('open.title')}</h3>
      <div class="error-box" role="alert"><div>{message}</div></div>
      <p class="muted">{t('open.nothingChanged')}</p>
    </div>
  );
}

/**
 * Names the screen in the page title and, in the desktop window (whose title
 * bar does not follow document.title on Linux), in the window title.
 */
function setTitle(title: string) {
  document.title = title;
  (globalThis as { runtime?: { WindowSetTitle?: (title: string) => void } }).runtime?.WindowSetTitle?.(title);
}

/** The window: a sidebar of screens and the current screen. */
export function App() {
  // Switching the language renders everything again, in the new one.
  const locale = useLocale();
  return <Shell key={locale} />;
}

/** The language switch: names the other language, in that language. */
function LanguageButton() {
  return (
    <button type="button" class="btn ghost small" onClick={() => setLocale(getLocale() === 'en' ? 'zh-CN' : 'en')}
      aria-label={t('lang.switch')} title={t('lang.switch')} data-testid="language">
      <Icon name="language" />
      <span class="label">{t('lang.other')}</span>
    </button>
  );
}

function Shell() {
  const route = useRoute();
  const connection = useConnection();
  const me = useAsync(() => api.me(), []);
  // The window's status says whether opening the database failed or
  // upgraded it; a browser's does not. The window hands it over with the
  // page, so the screens draw at once; a window that did not is asked.
  const [handed] = useState(() => api.windowInfo?.());
  const asked = useAsync(() => (api.transport === 'wails' && !handed ? api.status() : Promise.resolve(undefined)), []);
  const status = handed ? { data: handed, error: undefined } : asked;
  const [theme, setTheme] = useState(loadTheme);
  const owner = me.data?.owner ?? false;
  const current = route.screen === 'task' ? 'history' : route.screen;
  const screenLabel = NAV.find((n) => n.screen === current)?.label ?? 'nav.history';
  useEffect(() => setTitle(t('window.title', { screen: t(screenLabel) })), [screenLabel]);

  if (me.error !== undefined && toApiError(me.error).code === 'unauthorized') return <SignIn />;
  if (status.data?.open_error) return <OpenProblem message={status.data.open_error} />;
  if (api.transport === 'wails' && status.data === undefined && status.error === undefined) return null;

  return (
    <div class="shell">
      <nav class="sidebar" aria-label={t('nav.screens')}>
        <div class="brand">
          <span class="brand-mark">▶</span> <span class="label">Reelvault</span>
        </div>
        {NAV.filter((n) => !n.ownerOnly || owner).map((n) => (
          <a key={n.screen} class="nav-item" href={`#/${n.screen}`} aria-current={current === n.screen ? 'page' : undefined} title={t(n.label)}>
            <Icon name={n.icon} />
            <span class="label">{t(n.label)}</span>
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
            aria-label={t('theme.switch')}
            title={t(THEME_LABEL[theme])}
          >
            <Icon name={THEME_ICON[theme]} />
            <span class="label">{t(THEME_LABEL[theme])}</span>
          </button>
          <LanguageButton />
          <div class="live" data-state={connection} data-testid="live" title={t(CONNECTION_LABEL[connection])} aria-label={t(CONNECTION_LABEL[connection])} role="status">
            <span class="live-dot" />
            <span class="label">{connection === 'live' || connection === 'connecting' ? (api.transport === 'wails' ? t('live.thisComputer') : location.host) : t(CONNECTION_LABEL[connection])}</span>
          </div>
        </div>
      </nav>
      <main class={connection === 'signed_out' ? 'main stale' : 'main'}>
        {connection === 'signed_out' && <div style={{ padding: '16px 24px 0' }}><SessionLost /></div>}
        {me.error !== undefined && connection !== 'signed_out' && <div style={{ padding: '16px 24px 0' }}><ErrorNotice error={me.error} onRetry={me.reload} /></div>}
        {status.data?.upgrade && <div style={{ padding: '16px 24px 0' }}><UpgradeNotice upgrade={status.data.upgrade} /></div>}
        {/* The history stays mounted under a task, so going back keeps its place. */}
        <HistoryScreen me={me.data} active={route.screen === 'history'} />
        {route.screen === 'task' && route.taskId && <TaskScreen taskId={route.taskId} />}
        {route.screen === 'collections' && <CollectionsScreen />}
        {route.screen === 'trash' && <TrashScreen owner={owner} />}
        {route.screen === 'stats' && <StatsScreen />}
        {route.screen === 'storage' && <StorageScreen owner={owner} />}
        {route.screen === 'backups' && <BackupsScreen />}
        {route.screen === 'maintenance' && <MaintenanceScreen />}
        {route.screen === 'users' && <UsersScreen />}
      </main>
      <Toaster />
    </div>
  );
}
