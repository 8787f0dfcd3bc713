import { useState } from 'preact/hooks';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import { api } from '../state';
import { t, tx } from '../i18n';

/**
 * How browser sign-in works, and "sign out everywhere". Only a browser has
 * owner sessions; the window shows nothing.
 */
export function SessionCard() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!api.signOutEverywhere) return null;
  const signOut = api.signOutEverywhere;
  return (
    <div class="card" data-testid="session-card">
      <h2>{t('session.card.title')}</h2>
      <p class="muted">{tx('session.card.body', { serve: <code>reelvault serve</code>, link: <code>reelvault link</code> })}</p>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="row">
        <button type="button" class="btn danger" onClick={() => setAsking(true)} data-testid="sign-out-everywhere">
          {t('session.signOutAll')}
        </button>
      </div>
      {asking && (
        <ConfirmDialog
          title={t('session.signOutAll.title')}
          confirmLabel={t('session.signOutAll')}
          busy={busy}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setBusy(true);
            signOut().then(
              () => setAsking(false),
              (e) => (setError(e), setAsking(false)),
            ).finally(() => setBusy(false));
          }}
        >
          <p>{t('session.signOutAll.body')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Said above every screen when the owner session is gone. */
export function SessionLost() {
  return (
    <div class="session-lost" role="alert" data-testid="session-lost">
      <div style={{ flex: 1, minWidth: 0 }}>
        <strong>{t('session.lost.title')}</strong>
        <div>{tx('session.lost.body', { cmd: <code>reelvault link</code> })}</div>
      </div>
      <button type="button" class="btn primary small" onClick={() => location.reload()}>
        {t('session.lost.signIn')}
      </button>
    </div>
  );
}
