import { useState } from 'preact/hooks';
import { ApiError, type DrillResult } from '../api';
import { ErrorNotice } from './ErrorNotice';
import { formatDateTime, formatRelative } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';
import { t } from '../i18n';

/**
 * When the backups were last proven restorable by a restore drill, per
 * destination, with a button to run one now. A failed drill is a banner.
 */
export function ProvenCard() {
  const proven = useAsync(() => api.listProven(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [last, setLast] = useState<DrillResult | null>(null);
  useNotifications((n) => {
    if (n.type === 'drill' || (n.type === 'job' && (n.data as { job_id?: string } | undefined)?.job_id === 'drill')) proven.reload();
  }, []);
  // An encrypted destination's drill asks for its passphrase (never kept).
  const [needs, setNeeds] = useState<string | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const drill = (destination?: string) => {
    setBusy(true);
    setError(undefined);
    setLast(null);
    const pass = destination && destination === needs ? passphrase : undefined;
    (destination ? api.drillSet({ destination, passphrase: pass }) : api.runDrill()).then(
      (r) => {
        setLast(r);
        setNeeds(null);
        setPassphrase('');
        proven.reload();
      },
      (e: unknown) => {
        if (destination && e instanceof ApiError && e.field === 'passphrase') setNeeds(destination);
        setError(e);
      },
    ).finally(() => setBusy(false));
  };
  const list = proven.data ?? [];
  return (
    <div class="card stack" aria-label={t('proven.title')} data-testid="proven">
      <h2>{t('proven.title')}</h2>
      {proven.error !== undefined && <ErrorNotice error={proven.error} onRetry={proven.reload} />}
      {list.map((p) => (
        <div key={p.destination} class="stack" data-destination={p.destination} data-failed={p.failed ? 'true' : 'false'}>
          {list.length > 1 && <div class="faint">{t('proven.dest', { name: p.destination })}</div>}
          {p.failed && (
            <div class="notice" role="alert" style={{ borderColor: 'var(--failed)', color: 'var(--failed)' }}>
              {t('proven.failed', { when: formatDateTime(p.last ?? ''), error: p.error ?? '' })}
            </div>
          )}
          <div data-testid="proven-line">
            {p.last_ok ? (
              <span title={formatDateTime(p.last_ok)}>{t('proven.last', { when: formatRelative(p.last_ok), backup: p.backup ?? '' })}</span>
            ) : (
              <span class="muted">{t('proven.never')}</span>
            )}
          </div>
          {p.skipped && (
            <div class="faint" data-testid="proven-skipped">
              {t('proven.skipped', { when: formatDateTime(p.skipped_at ?? ''), why: p.skipped })}
            </div>
          )}
          {p.destination !== 'local' && (
            <div class="row">
              {needs === p.destination && (
                <input
                  class="input"
                  type="password"
                  style={{ flex: 1 }}
                  placeholder={t('proven.passphrase')}
                  aria-label={t('proven.passphrase')}
                  value={passphrase}
                  onInput={(e) => setPassphrase((e.target as HTMLInputElement).value)}
                />
              )}
              <button type="button" class="btn" onClick={() => drill(p.destination)} disabled={busy}>
                {t('proven.drillDest', { name: p.destination })}
              </button>
            </div>
          )}
        </div>
      ))}
      {last && last.ok && <div class="faint" role="status">{t('proven.ok', { backup: last.backup, n: last.tasks ?? 0 })}</div>}
      {error !== undefined && <ErrorNotice error={error} />}
      <p class="faint" style={{ margin: 0 }}>{t('proven.what')}</p>
      <div class="row">
        <button type="button" class="btn" onClick={() => drill()} disabled={busy}>
          {busy ? t('proven.drilling') : t('proven.drill')}
        </button>
      </div>
    </div>
  );
}
