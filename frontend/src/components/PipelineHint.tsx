import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { t, tx } from '../i18n';
import { CopyButton } from './CopyButton';
import { DataFolder } from './DataFolder';

/**
 * The first run's welcome, instead of an empty history: where the data
 * lives, and how a pipeline starts writing to Reelvault (a key, the URL to
 * post to, one copyable curl line).
 */
export function PipelineHint() {
  // In a browser the API is this page's origin; the window serves it on the
  // loopback address its status reports.
  const status = useAsync(() => (api.transport === 'wails' ? api.status() : Promise.resolve(undefined)), []);
  const base = api.transport === 'wails' ? status.data?.api_url ?? 'http://127.0.0.1:7788' : location.origin;
  const curl = `curl -X POST ${base}/api/v1/tasks -H "Authorization: Bearer $REELVAULT_KEY" -H "Content-Type: application/json" -d '{"prompt":"A paper boat drifting down a rainy street","total_scenes":3}'`;
  const dataDir = status.data?.data_dir;
  return (
    <div class="empty" data-empty="none">
      <h3>{t('hint.title')}</h3>
      <p class="muted">{t(dataDir ? 'hint.bodyFolder' : 'hint.body')}</p>
      {dataDir && <DataFolder path={dataDir} />}
      <p class="muted">
        {tx('hint.connect', { users: <a href="#/users">{t('nav.users')}</a>, cmd: <code>reelvault user add NAME</code>, env: <code>REELVAULT_KEY</code>, url: <code>{base}/api/v1/tasks</code> })}
      </p>
      <div class="codeline">
        <code>{curl}</code>
        <CopyButton text={curl} />
      </div>
      <p class="faint">{t('hint.then')}</p>
      <p class="muted">
        <a href="#/backups" data-testid="restore-link">{t('upload.link')}</a>
      </p>
    </div>
  );
}
