import { useEffect, useState } from 'preact/hooks';
import type { TrashSettings } from '../api';
import { api, useNotifications } from '../state';
import { ErrorNotice } from './ErrorNotice';
import { showToast } from './Toast';
import { t } from '../i18n';

/** The most days the trash can keep tasks (domain.MaxTrashRetentionDays). */
const MAX_DAYS = 3650;

/**
 * How long the trash keeps tasks before the daily purge, and, for the
 * owner, a form that changes it (1–3650 days). The server checks the
 * number, so the window and the browser refuse the same input with the
 * same message.
 */
export function TrashRetention({ owner }: { owner: boolean }) {
  const [set, setSet] = useState<TrashSettings>();
  const [editing, setEditing] = useState(false);
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const load = () => api.trashRetention().then(setSet, () => undefined);
  useEffect(() => void load(), []);
  useNotifications((n) => {
    if (n.type === 'resync' || n.type === 'restore') void load();
  }, []);

  const save = () => {
    setBusy(true);
    setError(undefined);
    api
      .setTrashRetention(days.trim() === '' ? Number.NaN : Number(days))
      .then((next) => {
        setSet(next);
        setEditing(false);
        showToast(t('trash.retentionSaved', { n: next.trash_retention_days }));
      }, setError)
      .finally(() => setBusy(false));
  };
  if (!set) return null;
  return (
    <div class="trash-retention" data-testid="trash-retention">
      {editing ? (
        <form class="row" noValidate onSubmit={(e) => (e.preventDefault(), save())}>
          <label class="row" style={{ gap: '6px' }}>
            <span>{t('trash.retentionLabel')}</span>
            <input class="input num" type="number" min={1} max={MAX_DAYS} step={1} style={{ width: '90px' }} autoFocus value={days}
              data-testid="retention-days" onInput={(e) => setDays((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <span class="faint">{t('trash.retentionBounds')}</span>
          <button type="submit" class="btn small primary" disabled={busy}>{t('coll.save')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => (setEditing(false), setError(undefined))}>{t('common.cancel')}</button>
        </form>
      ) : (
        <div class="row">
          <span data-testid="kept-for">{t('trash.keptFor', { n: set.trash_retention_days })}</span>
          {owner ? (
            <button type="button" class="btn small" data-testid="change-retention"
              onClick={() => (setDays(String(set.trash_retention_days)), setEditing(true))}>
              {t('trash.changeRetention')}
            </button>
          ) : (
            <span class="faint">{t('trash.retentionOwner')}</span>
          )}
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}
