import { useState } from 'preact/hooks';
import type { Backup, BackupProgress, JobRun, Schedule } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { ProgressBar } from '../components/ProgressBar';
import { compareRows } from '../lib/compare';
import { describeCron, nextRuns } from '../lib/cron';
import { formatBytes, formatCount, formatDateTime, formatRelative } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useClock, useNotifications } from '../state';

const PHASE_LABEL: Record<string, string> = {
  copy: 'Copying the database',
  verify: 'Verifying the copy',
  compress: 'Compressing',
  restore: 'Restoring',
};

/** A verified badge, or a warning when the backup was never verified. */
function VerifiedBadge({ backup }: { backup: Backup }) {
  const ok = backup.verified_at && !backup.verified_at.startsWith('0001');
  return ok ? (
    <span class="badge ok" title={`Verified ${formatDateTime(backup.verified_at)}`}>✓ Verified</span>
  ) : (
    <span class="badge bad">Not verified</span>
  );
}

/** The restore question: what the backup holds against what is here now. */
function RestoreDialog({ backup, onDone, onCancel }: { backup: Backup; onDone: (b: Backup) => void; onCancel: () => void }) {
  const now = useAsync(() => api.status(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const rows = now.data ? compareRows(backup.rows ?? {}, now.data.database?.counts ?? {}) : [];
  return (
    <ConfirmDialog
      title={`Restore the backup of ${formatDateTime(backup.created_at)}?`}
      confirmLabel={busy ? 'Restoring…' : 'Restore'}
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => {
        setBusy(true);
        api.restoreBackup(backup.name).then(
          () => onDone(backup),
          (e) => {
            setBusy(false);
            setError(e);
          },
        );
      }}
    >
      <p class="muted" style={{ marginTop: 0 }}>
        Everything here is replaced by this backup. A safety copy of the current data is taken first, so the restore can be
        undone.
      </p>
      {now.error !== undefined && <ErrorNotice error={now.error} />}
      <table class="data compare" aria-label="Backup compared with now">
        <thead>
          <tr>
            <th>What</th>
            <th>In the backup</th>
            <th>Here now</th>
            <th>After restore</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.table} data-table={r.table}>
              <td style={{ textTransform: 'capitalize' }}>{r.table.replaceAll('_', ' ')}</td>
              <td class="num">{formatCount(r.backup)}</td>
              <td class="num">{formatCount(r.now)}</td>
              <td class={`num ${r.delta < 0 ? 'diff-lose' : r.delta > 0 ? 'diff-gain' : ''}`}>
                {r.delta === 0 ? 'same' : r.delta < 0 ? `${formatCount(-r.delta)} fewer` : `${formatCount(r.delta)} more`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="faint">Anything recorded after {formatDateTime(backup.created_at)} is not in this backup.</p>
      {error !== undefined && <ErrorNotice error={error} />}
    </ConfirmDialog>
  );
}

/** The schedule in plain words, with its next runs and an editor. */
function ScheduleCard({ schedule, onSaved }: { schedule: Schedule; onSaved: (s: Schedule) => void }) {
  const [edit, setEdit] = useState<Schedule | null>(null);
  const [error, setError] = useState<unknown>();
  const s = edit ?? schedule;
  const words = s.backup ? describeCron(s.backup) : 'off';
  const runs = s.backup ? nextRuns(s.backup, new Date(), 3) : [];
  const retention = [`keep ${s.keep}`, s.keep_daily ? `one a day for ${s.keep_daily} days` : '', s.keep_weekly ? `one a week for ${s.keep_weekly} weeks` : '']
    .filter(Boolean)
    .join(', ');
  const num = (k: 'keep' | 'keep_daily' | 'keep_weekly') => (e: Event) =>
    setEdit({ ...s, [k]: Number((e.currentTarget as HTMLInputElement).value) });
  return (
    <div class="card stack" aria-label="Schedule">
      <h2>Schedule</h2>
      <div style={{ fontSize: '15px' }} data-testid="schedule-words">
        {s.backup ? (words ? `Backs up ${words}, ${retention}` : <span class="diff-lose">Not a valid schedule</span>) : 'Scheduled backups are off'}
      </div>
      {runs.length > 0 && (
        <div class="muted">
          Next: {runs.map((d) => formatDateTime(d.toISOString())).join(' · ')}
        </div>
      )}
      {edit ? (
        <div class="stack">
          <div class="row">
            <label class="field" style={{ flex: 1 }}>
              When (cron: minute hour day month weekday)
              <input class="input mono" value={s.backup} onInput={(e) => setEdit({ ...s, backup: (e.currentTarget as HTMLInputElement).value })} />
            </label>
          </div>
          <div class="row">
            <label class="field">Keep newest<input class="input" type="number" min={1} value={s.keep} onInput={num('keep')} /></label>
            <label class="field">Daily for days<input class="input" type="number" min={0} value={s.keep_daily} onInput={num('keep_daily')} /></label>
            <label class="field">Weekly for weeks<input class="input" type="number" min={0} value={s.keep_weekly} onInput={num('keep_weekly')} /></label>
          </div>
          {error !== undefined && <ErrorNotice error={error} />}
          <div class="row">
            <button type="button" class="btn primary" onClick={() => api.setSchedule(s).then((saved) => { setEdit(null); setError(undefined); onSaved(saved); }, setError)}>
              Save schedule
            </button>
            <button type="button" class="btn" onClick={() => { setEdit(null); setError(undefined); }}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div class="row">
          <button type="button" class="btn" onClick={() => setEdit(schedule)}>
            Change…
          </button>
        </div>
      )}
    </div>
  );
}

/** The outcome of recent jobs. */
export function JobList({ jobs, limit = 8 }: { jobs: JobRun[]; limit?: number }) {
  if (!jobs.length) return <p class="faint">No job has run yet.</p>;
  return (
    <table class="data" aria-label="Recent jobs">
      <tbody>
        {jobs.slice(0, limit).map((j) => (
          <tr key={j.id} data-job={j.job_id} data-result={j.result}>
            <td style={{ textTransform: 'capitalize' }}>{j.job_id}</td>
            <td>
              <span class={`badge ${j.result === 'ok' ? 'ok' : j.result === 'error' ? 'bad' : ''}`}>{j.result}</span>
            </td>
            <td class="muted" title={j.error || j.detail}>
              {j.error || j.detail || (j.bytes ? formatBytes(j.bytes) : '')}
            </td>
            <td class="faint num" title={j.started_at}>
              {formatRelative(j.started_at)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Back up now, the catalogue, restore and undo, the schedule and job results. */
export function BackupsScreen() {
  useClock(); // relative times keep ticking
  const backups = useAsync(() => api.listBackups(), []);
  const schedule = useAsync(() => api.getSchedule(), []);
  const jobs = useAsync(() => api.listJobs(), []);
  const [progress, setProgress] = useState<BackupProgress | null>(null);
  const [working, setWorking] = useState<'backup' | 'undo' | null>(null);
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<Backup | null>(null);
  const [notice, setNotice] = useState<{ text: string; undo?: boolean } | null>(null);

  useNotifications((n) => {
    if (n.type === 'backup_progress' && n.data) setProgress(n.data as BackupProgress);
    if (n.type === 'job') {
      jobs.reload();
      backups.reload();
    }
  }, []);

  const backUpNow = () => {
    setWorking('backup');
    setError(undefined);
    setNotice(null);
    setProgress({ phase: 'copy', done: 0, total: 0 });
    api.createBackup().then(
      (b) => {
        setNotice({ text: `Backed up: ${b.name} (${formatBytes(b.size)}), verified.` });
        backups.reload();
        jobs.reload();
      },
      setError,
    ).finally(() => {
      setWorking(null);
      setProgress(null);
    });
  };

  const undo = () => {
    setWorking('undo');
    setError(undefined);
    api.undoRestore().then(
      () => {
        setNotice({ text: 'The last restore was undone; the data is as it was before it.' });
        backups.reload();
      },
      setError,
    ).finally(() => setWorking(null));
  };

  const pct = progress && progress.total > 0 ? (progress.done / progress.total) * 100 : working === 'backup' ? 5 : 0;
  const list = backups.data ?? [];

  return (
    <section class="screen" aria-label="Backups">
      <div class="screen-head">
        <h1>Backups</h1>
        <div class="spacer" />
        <button type="button" class="btn" onClick={undo} disabled={working !== null}>
          Undo last restore
        </button>
        <button type="button" class="btn primary" onClick={backUpNow} disabled={working !== null}>
          {working === 'backup' ? 'Backing up…' : 'Back up now'}
        </button>
      </div>
      {working === 'backup' && (
        <div class="card stack" aria-live="polite">
          <div class="row">
            <span>{PHASE_LABEL[progress?.phase ?? 'copy'] ?? progress?.phase}…</span>
            <span class="faint num">{progress?.total ? `${Math.round(pct)}%` : ''}</span>
          </div>
          <ProgressBar value={pct} big label="backup progress" />
        </div>
      )}
      {notice && (
        <div class="notice" role="status">
          <span style={{ flex: 1 }}>{notice.text}</span>
          {notice.undo && (
            <button type="button" class="btn small" onClick={undo} disabled={working !== null}>
              Undo restore
            </button>
          )}
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="card">
        <h2>Catalogue</h2>
        {backups.error !== undefined && <ErrorNotice error={backups.error} onRetry={backups.reload} />}
        {list.length === 0 && !backups.loading && backups.error === undefined ? (
          <p class="muted">No backups yet. “Back up now” makes a verified, compressed copy of everything in a few seconds.</p>
        ) : (
          <table class="data" aria-label="Backups">
            <thead>
              <tr>
                <th>Taken</th>
                <th>Kind</th>
                <th>Tasks</th>
                <th>Users</th>
                <th>Size</th>
                <th>Check</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.name} data-backup={b.name}>
                  <td>
                    <div>{formatDateTime(b.created_at)}</div>
                    <div class="faint mono" style={{ fontSize: '11px' }}>{b.name}</div>
                  </td>
                  <td class="muted" style={{ textTransform: 'capitalize' }}>{b.kind.replace('-', ' ')}</td>
                  <td class="num">{formatCount(b.rows?.tasks)}</td>
                  <td class="num">{formatCount(b.rows?.users)}</td>
                  <td class="num">{formatBytes(b.size)}</td>
                  <td><VerifiedBadge backup={b} /></td>
                  <td class="actions">
                    <button type="button" class="btn small" onClick={() => setConfirm(b)} disabled={working !== null}>
                      Restore…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="grid-2">
        {schedule.data ? (
          <ScheduleCard schedule={schedule.data} onSaved={() => schedule.reload()} />
        ) : (
          <div class="card">{schedule.error !== undefined ? <ErrorNotice error={schedule.error} onRetry={schedule.reload} /> : <p class="faint">Loading…</p>}</div>
        )}
        <div class="card">
          <h2>Recent jobs</h2>
          {jobs.error !== undefined ? <ErrorNotice error={jobs.error} onRetry={jobs.reload} /> : <JobList jobs={jobs.data ?? []} />}
        </div>
      </div>
      {confirm && (
        <RestoreDialog
          backup={confirm}
          onCancel={() => setConfirm(null)}
          onDone={(b) => {
            setConfirm(null);
            setNotice({ text: `Restored the backup of ${formatDateTime(b.created_at)}.`, undo: true });
            backups.reload();
            jobs.reload();
          }}
        />
      )}
    </section>
  );
}
