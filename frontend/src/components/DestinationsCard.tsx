import { useState } from 'preact/hooks';
import type { DestinationStatus } from '../api';
import { useAsync } from '../lib/useAsync';
import { formatDateTime } from '../lib/format';
import { api } from '../state';
import { ErrorNotice } from './ErrorNotice';
import { t } from '../i18n';

const empty = { name: '', dir: '', cron: '', keep: 7, encrypt: false, passphrase: '' };

/**
 * Where backup sets go: the local backups folder and the folders added (an
 * external disk, a NAS, a synced folder), each connected or unplugged, with
 * a form to add one, a button to back up there now and one to remove it.
 */
export function DestinationsCard({ onBackup }: { onBackup?: () => void }) {
  const list = useAsync(() => api.listDestinations(), []);
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');

  const run = (call: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    setDone('');
    call()
      .then(() => {
        after?.();
        list.reload();
      }, setError)
      .finally(() => setBusy(false));
  };
  const field = (name: keyof typeof empty) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setForm({ ...form, [name]: el.type === 'checkbox' ? el.checked : el.type === 'number' ? Number(el.value) : el.value });
  };

  return (
    <div class="card" data-testid="destinations">
      <h2>{t('dest.title')}</h2>
      <div class="muted">{t('dest.what')}</div>
      {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {error !== undefined && <ErrorNotice error={error} />}
      {done && (
        <div class="notice" role="status">
          {done}
        </div>
      )}
      <div class="stack">
        {(list.data ?? []).map((d: DestinationStatus) => (
          <div key={d.name} class="row" data-destination={d.name} data-connected={String(d.connected)}>
            <div style={{ flex: 1, minWidth: 0 }}>
              <div>
                <strong>{d.name === 'local' ? t('dest.local') : d.name}</strong>{' '}
                <span class={d.connected ? 'faint' : 'diff-lose'}>{d.connected ? t('dest.connected') : t('dest.unplugged')}</span>
                {d.encrypted && <span class="faint"> · {t('set.encrypted')}</span>}
              </div>
              <div class="mono faint" style={{ overflowWrap: 'anywhere', fontSize: '12px' }}>{d.dir}</div>
              <div class="faint" style={{ fontSize: '12px' }}>
                {t('dest.summary', { sets: d.sets, keep: d.keep, schedule: d.cron || t('dest.byHand') })}
                {d.last_backup && <span> · {t('dest.last', { when: formatDateTime(d.last_backup) })}</span>}
                {d.next_run && <span> · {t('dest.next', { when: formatDateTime(d.next_run) })}</span>}
              </div>
              {!d.connected && <div class="muted" style={{ fontSize: '12px' }}>{t('dest.retry')}</div>}
            </div>
            {d.connected && (
              <button
                type="button"
                class="btn small"
                disabled={busy}
                onClick={() =>
                  run(
                    () => api.backupTo(d.name === 'local' ? '' : d.name, false).then((b) => setDone(t('dest.backedUp', { name: b.name }))),
                    onBackup,
                  )
                }
              >
                {t('dest.backupHere')}
              </button>
            )}
            {d.name !== 'local' && (
              <button type="button" class="btn small ghost" disabled={busy} onClick={() => run(() => api.removeDestination(d.name))}>
                {t('dest.remove')}
              </button>
            )}
          </div>
        ))}
      </div>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => api.addDestination({ ...form, name: form.name.trim(), dir: form.dir.trim(), cron: form.cron.trim() }), () => setForm(empty));
        }}
      >
        <div class="row">
          <input class="input" style={{ width: '9em' }} placeholder={t('dest.name')} aria-label={t('dest.name')} value={form.name} onInput={field('name')} />
          <input class="input mono" style={{ flex: 1 }} placeholder={t('dest.dir')} aria-label={t('dest.dir')} value={form.dir} onInput={field('dir')} />
        </div>
        <div class="row">
          <input class="input mono" style={{ width: '9em' }} placeholder="0 4 * * *" aria-label={t('dest.cron')} title={t('dest.cron')} value={form.cron} onInput={field('cron')} />
          <label class="row">
            {t('dest.keep')}
            <input class="input" type="number" min={1} max={1000} style={{ width: '5em' }} value={form.keep} onInput={field('keep')} />
          </label>
          <label class="row">
            <input type="checkbox" checked={form.encrypt} onChange={field('encrypt')} />
            {t('dest.encrypt')}
          </label>
          {form.encrypt && (
            <input class="input" type="password" style={{ flex: 1 }} placeholder={t('dest.passphrase')} aria-label={t('dest.passphrase')} value={form.passphrase} onInput={field('passphrase')} />
          )}
          <button type="submit" class="btn" disabled={busy || form.name.trim() === '' || form.dir.trim() === ''}>
            {t('dest.add')}
          </button>
        </div>
        {form.encrypt && <div class="muted" style={{ fontSize: '12px' }}>{t('dest.encryptNote')}</div>}
      </form>
    </div>
  );
}
