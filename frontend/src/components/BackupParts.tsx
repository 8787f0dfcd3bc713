import { useState } from 'preact/hooks';
import type { Backup } from '../api';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyButton } from './CopyButton';
import { ErrorNotice } from './ErrorNotice';
import { formatBytes, formatDateTime } from '../lib/format';
import { api } from '../state';
import { t, tx } from '../i18n';

/**
 * What a backup holds, in plain words: the one place that says it, so that
 * when backups hold more (the video files), only this changes.
 */
export function BackupContents() {
  return (
    <div class="backup-contents" data-testid="backup-contents">
      <p style={{ margin: 0 }}>{t('backups.contains')}</p>
      <p class="muted" style={{ margin: '6px 0 0' }}>{t('backups.notContains')}</p>
    </div>
  );
}

/** Where the backups are kept, with a copy button and, in the window, a button that opens the folder. */
export function BackupFolder({ dir }: { dir?: string }) {
  const [error, setError] = useState<unknown>();
  if (!dir) return null;
  return (
    <div class="stack" data-testid="backup-folder">
      <div class="row" style={{ flexWrap: 'wrap' }}>
        <span class="muted">{tx('backups.folder', { dir: <code class="mono path">{dir}</code> })}</span>
        <CopyButton text={dir} />
        {api.openBackupsFolder && (
          <button type="button" class="btn small" onClick={() => api.openBackupsFolder!().catch(setError)}>
            {t('backups.openFolder')}
          </button>
        )}
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}

/** The delete question for one backup. */
export function DeleteBackupDialog({ backup, onDone, onCancel }: { backup: Backup; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <ConfirmDialog
      title={t('backups.deleteTitle', { when: formatDateTime(backup.created_at) })}
      confirmLabel={busy ? t('backups.deleting') : t('backups.delete')}
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => {
        setBusy(true);
        api.deleteBackup(backup.name).then(onDone, (e) => {
          setBusy(false);
          setError(e);
        });
      }}
    >
      <p style={{ marginTop: 0 }}>{t('backups.deleteBody', { name: backup.name, size: formatBytes(backup.size) })}</p>
      {error !== undefined && <ErrorNotice error={error} />}
    </ConfirmDialog>
  );
}

/** Schedules a person picks by name; anything else is written as cron. */
export const SCHEDULE_PRESETS = [
  { key: 'sched.preset.nightly', cron: '0 3 * * *' },
  { key: 'sched.preset.every6h', cron: '0 */6 * * *' },
  { key: 'sched.preset.weekly', cron: '0 3 * * 0' },
] as const;

/** The presets as buttons, and a cron field for experts (open when the schedule is none of them). */
export function ScheduleWhen({ value, onChange }: { value: string; onChange: (cron: string) => void }) {
  const preset = SCHEDULE_PRESETS.find((p) => p.cron === value.trim());
  const [expert, setExpert] = useState(!preset && value.trim() !== '');
  return (
    <div class="stack" role="group" aria-label={t('sched.when')}>
      <div class="row" style={{ flexWrap: 'wrap' }}>
        {SCHEDULE_PRESETS.map((p) => (
          <button key={p.cron} type="button" class={`btn small${preset?.cron === p.cron && !expert ? ' primary' : ''}`} aria-pressed={preset?.cron === p.cron && !expert}
            onClick={() => { setExpert(false); onChange(p.cron); }} data-preset={p.cron}>
            {t(p.key)}
          </button>
        ))}
        <button type="button" class={`btn small${expert ? ' primary' : ''}`} aria-pressed={expert} onClick={() => setExpert(true)}>
          {t('sched.preset.cron')}
        </button>
        <button type="button" class={`btn small${value.trim() === '' ? ' primary' : ''}`} aria-pressed={value.trim() === ''} onClick={() => { setExpert(false); onChange(''); }}>
          {t('sched.preset.off')}
        </button>
      </div>
      {expert && (
        <label class="field">
          {t('sched.cronField')}
          <input class="input mono" value={value} placeholder="0 3 * * *" onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)} />
        </label>
      )}
    </div>
  );
}
