import { useState } from 'preact/hooks';
import type { RelinkReport } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatBytes, formatCount } from '../lib/format';
import { collectionHash, routeHash } from '../lib/route';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { t } from '../i18n';

/** "Scene 3", or "Final video" for scene 0. */
function sceneLabel(n: number): string {
  return n === 0 ? t('task.final') : t('scene.title', { n: String(n) });
}

/**
 * Disk use of the videos per user, collection and task, the files that are gone, and
 * (for the owner) a relink: find moved files in a folder by size and hash.
 */
export function StorageScreen({ owner }: { owner: boolean }) {
  const rep = useAsync(() => api.storage(), []);
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [relinked, setRelinked] = useState<RelinkReport>();
  const data = rep.data;

  const relink = (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    api
      .relink(folder.trim(), dryRun)
      .then((r) => {
        setRelinked(r);
        if (!dryRun) rep.reload();
      }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <section class="screen" aria-label={t('storage.title')} data-screen="storage">
      <div class="screen-head">
        <h1>{t('storage.title')}</h1>
        <div class="spacer" />
        <button type="button" class="btn small" onClick={rep.reload} disabled={rep.loading}>
          {t('storage.refresh')}
        </button>
      </div>
      {rep.error !== undefined && <ErrorNotice error={rep.error} onRetry={rep.reload} />}
      <div class="tiles four">
        <div class="tile"><div class="label">{t('storage.total')}</div><div class="value" data-testid="storage-total">{data ? formatBytes(data.total_bytes) : '—'}</div></div>
        <div class="tile"><div class="label">{t('storage.videos')}</div><div class="value">{data ? formatCount(data.videos) : '—'}</div></div>
        <div class="tile"><div class="label">{t('storage.missing')}</div><div class="value" data-testid="storage-missing">{data ? formatCount(data.missing_count) : '—'}</div></div>
      </div>
      <div class="card stack">
        <h2>{t('storage.perUser')}</h2>
        <table class="data" aria-label={t('storage.perUser')}>
          <thead><tr><th>{t('storage.user')}</th><th>{t('storage.size')}</th><th>{t('storage.videos')}</th><th>{t('storage.missing')}</th></tr></thead>
          <tbody>
            {data?.users.map((u) => (
              <tr key={u.key}><td>{u.key}</td><td class="num">{formatBytes(u.bytes)}</td><td class="num">{formatCount(u.videos)}</td><td class="num">{formatCount(u.missing)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card stack" data-testid="storage-collections">
        <h2>{t('storage.perCollection')}</h2>
        {data && data.collections.length === 0 ? (
          <p class="muted">{t('storage.noCollections')}</p>
        ) : (
          <table class="data" aria-label={t('storage.perCollection')}>
            <thead><tr><th>{t('storage.collection')}</th><th>{t('storage.size')}</th><th>{t('storage.videos')}</th><th>{t('storage.missing')}</th></tr></thead>
            <tbody>
              {data?.collections.map((c) => (
                <tr key={c.key} data-collection={c.key}>
                  <td><a href={collectionHash(c.key)}>{c.key}</a></td>
                  <td class="num">{formatBytes(c.bytes)}</td><td class="num">{formatCount(c.videos)}</td><td class="num">{formatCount(c.missing)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="card stack">
        <h2>{t('storage.largest')}</h2>
        <table class="data" aria-label={t('storage.largest')}>
          <thead><tr><th>{t('col.prompt')}</th><th>{t('storage.user')}</th><th>{t('storage.size')}</th><th>{t('storage.videos')}</th><th>{t('storage.missing')}</th></tr></thead>
          <tbody>
            {data?.tasks.map((task) => (
              <tr key={task.key}>
                <td><a href={routeHash({ screen: 'task', taskId: task.key })}>{task.label || task.key}</a></td>
                <td>{task.username}</td><td class="num">{formatBytes(task.bytes)}</td><td class="num">{formatCount(task.videos)}</td><td class="num">{formatCount(task.missing)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card stack" data-testid="missing-files">
        <h2>{t('storage.missingFiles')}</h2>
        {data && data.missing.length === 0 ? (
          <p class="muted">{t('storage.noneMissing')}</p>
        ) : (
          <table class="data" aria-label={t('storage.missingFiles')}>
            <thead><tr><th>{t('storage.task')}</th><th>{t('storage.scene')}</th><th>{t('storage.file')}</th></tr></thead>
            <tbody>
              {data?.missing.map((m) => (
                <tr key={m.video_id}>
                  <td><a class="mono" href={routeHash({ screen: 'task', taskId: m.task_id })}>{m.task_id.slice(0, 8)}</a></td>
                  <td>{sceneLabel(m.scene_number)}</td>
                  <td class="mono">{m.file_path}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {owner && (
          <form class="row" onSubmit={(e) => { e.preventDefault(); relink(true); }}>
            <input class="input mono" style={{ flex: '1', minWidth: '240px' }} placeholder={t('storage.folder')} aria-label={t('storage.folder')}
              value={folder} onInput={(e) => setFolder((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit" class="btn" disabled={busy || !folder.trim()} data-testid="relink-dry">{t('storage.dryRun')}</button>
            <button type="button" class="btn primary" disabled={busy || !folder.trim()} data-testid="relink" onClick={() => relink(false)}>{t('storage.relink')}</button>
          </form>
        )}
        {error !== undefined && <ErrorNotice error={error} />}
        {relinked && (
          <div data-testid="relink-report" class="stack">
            <p>
              {t(relinked.dry_run ? 'storage.wouldRelink' : 'storage.relinked', {
                found: relinked.relinked.length,
                missing: relinked.missing,
                files: relinked.files_scanned,
              })}
            </p>
            <table class="data" aria-label={t('storage.report')}>
              <tbody>
                {relinked.relinked.map((r) => (
                  <tr key={r.video_id} data-relinked={r.video_id}><td>{sceneLabel(r.scene_number)}</td><td class="mono">{r.from}</td><td>→</td><td class="mono">{r.to}</td><td>{t(r.by === 'hash' ? 'storage.byHash' : 'storage.byName')}</td></tr>
                ))}
                {relinked.unmatched.map((r) => (
                  <tr key={r.video_id} data-unmatched={r.video_id}><td>{sceneLabel(r.scene_number)}</td><td class="mono">{r.from}</td><td /><td colSpan={2} class="muted">{t('storage.notFound')}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
