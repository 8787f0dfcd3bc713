import { useState } from 'preact/hooks';
import type { UploadResult } from '../api';
import { ErrorNotice } from './ErrorNotice';
import { formatCount } from '../lib/format';
import { api } from '../state';
import { t } from '../i18n';

/**
 * Restore from a backup file: the file is uploaded and checked first, and
 * what it holds (version, tasks, users, videos) is shown before anything
 * changes. With empty set, the install has no history yet and says so.
 */
export function RestoreFromFile({ empty, onRestored }: { empty?: boolean; onRestored: () => void }) {
  const [busy, setBusy] = useState<'upload' | 'restore' | null>(null);
  const [error, setError] = useState<unknown>();
  const [up, setUp] = useState<UploadResult | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const pick = (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setBusy('upload');
    setError(undefined);
    setUp(null);
    setDone(null);
    api.uploadBackup(file).then(setUp, setError).finally(() => setBusy(null));
  };
  const restore = () => {
    if (!up) return;
    setBusy('restore');
    setError(undefined);
    api.restoreBackup(up.backup.name).then(
      () => {
        setDone(t('upload.restored', { tasks: formatCount(up.set.rows?.tasks ?? 0) }));
        setUp(null);
        onRestored();
      },
      setError,
    ).finally(() => setBusy(null));
  };
  const rows = up?.set.rows ?? {};
  return (
    <div class="card stack" aria-label={t('upload.title')} data-testid="restore-from-file">
      <h2>{t('upload.title')}</h2>
      {empty && <p>{t('upload.empty')}</p>}
      <p class="faint" style={{ margin: 0 }}>{t('upload.what')}</p>
      <label class="btn" style={{ alignSelf: 'flex-start' }}>
        {busy === 'upload' ? t('upload.checking') : t('upload.choose')}
        <input type="file" aria-label={t('upload.choose')} style={{ display: 'none' }} onChange={pick} disabled={busy !== null} />
      </label>
      {up && (
        <div class="stack" data-testid="upload-info">
          <p style={{ margin: 0 }}>
            {t('upload.holds', {
              tasks: formatCount(rows.tasks ?? 0),
              users: formatCount(rows.users ?? 0),
              videos: formatCount(rows.videos ?? 0),
              version: up.set.schema_version ?? 0,
              engine: up.set.engine === 'postgres' ? 'PostgreSQL' : 'SQLite',
            })}
          </p>
          <p class="faint mono" style={{ margin: 0, fontSize: '11px' }}>{up.backup.name}</p>
          <div class="row">
            <button type="button" class="btn primary" onClick={restore} disabled={busy !== null}>
              {busy === 'restore' ? t('restore.busy') : t('upload.restore')}
            </button>
          </div>
        </div>
      )}
      {done && <div class="notice" role="status">{done}</div>}
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}
