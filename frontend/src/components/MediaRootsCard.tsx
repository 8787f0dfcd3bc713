import { useState } from 'preact/hooks';
import type { MediaRoots } from '../api';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { ErrorNotice } from './ErrorNotice';
import { t } from '../i18n';

/** The media roots, with a field to add a folder and a button to remove each added one. */
export function MediaRootsCard() {
  const roots = useAsync(() => api.listMediaRoots(), []);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const change = (call: () => Promise<MediaRoots>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    call()
      .then(() => {
        after?.();
        roots.reload();
      }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <div class="card" data-testid="media-roots">
      <h2>{t('media.title')}</h2>
      <div class="muted">{t('media.what')}</div>
      {roots.error !== undefined && <ErrorNotice error={roots.error} onRetry={roots.reload} />}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="stack">
        {roots.data?.default && (
          <div class="row">
            <span class="mono" style={{ flex: 1, overflowWrap: 'anywhere' }}>{roots.data.default}</span>
            <span class="faint">{t('media.always')}</span>
          </div>
        )}
        {(roots.data?.roots ?? []).map((r) => (
          <div key={r} class="row" data-root={r}>
            <span class="mono" style={{ flex: 1, overflowWrap: 'anywhere' }}>{r}</span>
            <button type="button" class="btn small ghost" disabled={busy} onClick={() => change(() => api.removeMediaRoot(r))}>
              {t('media.remove')}
            </button>
          </div>
        ))}
      </div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          change(() => api.addMediaRoot(path.trim()), () => setPath(''));
        }}
      >
        <input class="input mono" style={{ flex: 1 }} placeholder={t('media.placeholder')} aria-label={t('media.add.label')} value={path} onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="btn" disabled={busy || path.trim() === ''}>
          {t('media.add')}
        </button>
      </form>
    </div>
  );
}
