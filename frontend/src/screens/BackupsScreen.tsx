import { useState } from 'preact/hooks';
import type { Backup, BackupProgress, JobRun, Schedule, ScheduleRuns } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { BackupContents, BackupFolder, DeleteBackupDialog, ScheduleWhen } from '../components/BackupParts';
import { ProgressBar } from '../components/ProgressBar';
import { ProvenCard } from '../components/ProvenCard';
import { RestoreFromFile } from '../components/RestoreFromFile';
import { TaskRestoreDialog } from '../components/TaskRestoreDialog';
import { compareRows } from '../lib/compare';
import { describeCron, describeCronZh } from '../lib/cron';
import { DestinationsCard } from '../components/DestinationsCard';
import { SetContents } from '../components/SetContents';
import { formatBytes, formatCount, formatDateTime, formatRelative } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useClock, useNotifications } from '../state';
import { getLocale, hasKey, t } from '../i18n';

/** A name from the dictionary under prefix, or the raw value when it has none (a new kind of job, table…). */
function named(prefix: 'job' | 'result' | 'kind' | 'table' | 'phase', value: string): string {
  const key = `${prefix}.${value}`;
  return hasKey(key) ? t(key) : value;
}

/** A job's outcome in words. */
export function jobResult(result: string): string {
  return named('result', result);
}


/** A verified badge, or a warning when the backup was never verified. */
function VerifiedBadge({ backup }: { backup: Backup }) {
  const ok = backup.verified_at && !backup.verified_at.startsWith('0001');
  return ok ? (
    <span class="badge ok" title={t('backups.verifiedAt', { when: formatDateTime(backup.verified_at) })}>{t('backups.verified')}</span>
  ) : (
    <span class="badge bad">{t('backups.notVerified')}</span>
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
      title={t('restore.title', { when: formatDateTime(backup.created_at) })}
      confirmLabel={busy ? t('restore.busy') : t('restore.confirm')}
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
      <p class="muted" style={{ marginTop: 0 }}>{t('restore.body')}</p>
      {now.error !== undefined && <ErrorNotice error={now.error} />}
      <table class="data compare" aria-label={t('restore.compare')}>
        <thead>
          <tr>
            <th>{t('restore.what')}</th>
            <th>{t('restore.inBackup')}</th>
            <th>{t('restore.now')}</th>
            <th>{t('restore.after')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.table} data-table={r.table}>
              <td>{named('table', r.table)}</td>
              <td class="num">{formatCount(r.backup)}</td>
              <td class="num">{formatCount(r.now)}</td>
              <td class={`num ${r.delta < 0 ? 'diff-lose' : r.delta > 0 ? 'diff-gain' : ''}`}>
                {r.delta === 0 ? t('restore.same') : r.delta < 0 ? t('restore.fewer', { n: -r.delta }) : t('restore.more', { n: r.delta })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="faint">{t('restore.note', { when: formatDateTime(backup.created_at) })}</p>
      {error !== undefined && <ErrorNotice error={error} />}
    </ConfirmDialog>
  );
}

/** The schedule of an answer, without its next runs: what setSchedule takes. */
function scheduleOf({ next: _next, ...s }: ScheduleRuns): Schedule {
  return s;
}

/** The schedule in plain words, with its next runs and an editor. */
function ScheduleCard({ schedule, onSaved }: { schedule: ScheduleRuns; onSaved: (s: ScheduleRuns) => void }) {
  const [edit, setEdit] = useState<Schedule | null>(null);
  const [error, setError] = useState<unknown>();
  const s = edit ?? schedule;
  // Chinese describes the common schedules and shows the expression for the rest.
  const described = s.backup ? describeCron(s.backup) : undefined;
  const words = described && (getLocale() === 'en' ? described : (describeCronZh(s.backup) ?? t('sched.cron', { expr: s.backup })));
  // The server computes the next runs; while editing they are of the saved schedule, so they are hidden.
  const runs = edit ? [] : (schedule.next.backup ?? []);
  const retention = [t('sched.keep', { n: s.keep }), s.keep_daily ? t('sched.daily', { n: s.keep_daily }) : '', s.keep_weekly ? t('sched.weekly', { n: s.keep_weekly }) : '']
    .filter(Boolean)
    .join(getLocale() === 'en' ? ', ' : '，');
  const num = (k: 'keep' | 'keep_daily' | 'keep_weekly') => (e: Event) =>
    setEdit({ ...s, [k]: Number((e.currentTarget as HTMLInputElement).value) });
  return (
    <div class="card stack" aria-label={t('sched.title')}>
      <h2>{t('sched.title')}</h2>
      <div style={{ fontSize: '15px' }} data-testid="schedule-words">
        {s.backup ? (words ? t('sched.words', { when: words, retention }) : <span class="diff-lose">{t('sched.invalid')}</span>) : t('sched.off')}
      </div>
      {runs.length > 0 && (
        <div class="muted">
          {t('sched.next', { runs: runs.map((d) => formatDateTime(d)).join(' · ') })}
        </div>
      )}
      {edit ? (
        <div class="stack">
          <ScheduleWhen value={s.backup} onChange={(backup) => setEdit({ ...s, backup })} />
          <div class="row">
            <label class="field">{t('sched.keepNewest')}<input class="input" type="number" min={1} value={s.keep} onInput={num('keep')} /></label>
            <label class="field">{t('sched.dailyFor')}<input class="input" type="number" min={0} value={s.keep_daily} onInput={num('keep_daily')} /></label>
            <label class="field">{t('sched.weeklyFor')}<input class="input" type="number" min={0} value={s.keep_weekly} onInput={num('keep_weekly')} /></label>
          </div>
          {error !== undefined && <ErrorNotice error={error} />}
          <div class="row">
            <button type="button" class="btn primary" onClick={() => api.setSchedule(s).then((saved) => { setEdit(null); setError(undefined); onSaved(saved); }, setError)}>
              {t('sched.save')}
            </button>
            <button type="button" class="btn" onClick={() => { setEdit(null); setError(undefined); }}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <div class="row">
          <button type="button" class="btn" onClick={() => setEdit(scheduleOf(schedule))}>
            {t('sched.change')}
          </button>
        </div>
      )}
    </div>
  );
}

/** The outcome of recent jobs. */
export function JobList({ jobs, limit = 8 }: { jobs: JobRun[]; limit?: number }) {
  if (!jobs.length) return <p class="faint">{t('jobs.none')}</p>;
  return (
    <table class="data jobs" aria-label={t('jobs.label')}>
      <tbody>
        {jobs.slice(0, limit).map((j) => (
          <tr key={j.id} data-job={j.job_id} data-result={j.result}>
            <td>{named('job', j.job_id)}</td>
            <td>
              <span class={`badge ${j.result === 'ok' ? 'ok' : j.result === 'error' ? 'bad' : ''}`}>{jobResult(j.result)}</span>
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
  const place = useAsync(() => api.backupPlace(), []);
  const [deleting, setDeleting] = useState<Backup | null>(null);
  const [askUndo, setAskUndo] = useState(false);
  const schedule = useAsync(() => api.getSchedule(), []);
  const jobs = useAsync(() => api.listJobs(), []);
  const [progress, setProgress] = useState<BackupProgress | null>(null);
  const [working, setWorking] = useState<'backup' | 'undo' | null>(null);
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<Backup | null>(null);
  const [pickTasks, setPickTasks] = useState<Backup | null>(null);
  const [notice, setNotice] = useState<{ text: string; undo?: boolean } | null>(null);

  useNotifications((n) => {
    if (n.type === 'backup_progress' && n.data) setProgress(n.data as BackupProgress);
    if (n.type === 'job') {
      jobs.reload();
      backups.reload();
    }
    if (n.type === 'restore') place.reload();
  }, []);

  const backUpNow = () => {
    setWorking('backup');
    setError(undefined);
    setNotice(null);
    setProgress({ phase: 'copy', done: 0, total: 0 });
    api.createBackup().then(
      (b) => {
        setNotice({ text: t('backups.done', { name: b.name, size: formatBytes(b.size) }) });
        backups.reload();
        place.reload();
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
        setAskUndo(false);
        setNotice({ text: t('backups.undone') });
        backups.reload();
        place.reload();
      },
      (e) => {
        setAskUndo(false);
        setError(e);
      },
    ).finally(() => setWorking(null));
  };
  const canUndo = Boolean(place.data?.undo);
  const newestVerified = (backups.data ?? [])
    .filter((b) => b.verified_at && !b.verified_at.startsWith('0001'))
    .reduce<Backup | undefined>((n, b) => (!n || b.created_at > n.created_at ? b : n), undefined);

  const pct = progress && progress.total > 0 ? (progress.done / progress.total) * 100 : working === 'backup' ? 5 : 0;
  const list = backups.data ?? [];

  return (
    <section class="screen" aria-label={t('backups.title')} data-screen="backups">
      <div class="screen-head">
        <h1>{t('backups.title')}</h1>
        <div class="spacer" />
        <button type="button" class="btn" onClick={() => setAskUndo(true)} disabled={working !== null || !canUndo}
          title={canUndo ? undefined : t('backups.nothingToUndo')} data-testid="undo-restore">
          {t('backups.undo')}
        </button>
        <button type="button" class="btn primary" onClick={backUpNow} disabled={working !== null}>
          {working === 'backup' ? t('backups.backingUp') : t('backups.now')}
        </button>
      </div>
      {working === 'backup' && (
        <div class="card stack" aria-live="polite">
          <div class="row">
            <span>{named('phase', progress?.phase ?? 'copy')}</span>
            <span class="faint num">{progress?.total ? `${Math.round(pct)}%` : ''}</span>
          </div>
          <ProgressBar value={pct} big label={t('backups.progress')} />
        </div>
      )}
      {notice && (
        <div class="notice" role="status">
          <span style={{ flex: 1 }}>{notice.text}</span>
          {notice.undo && (
            <button type="button" class="btn small" onClick={() => setAskUndo(true)} disabled={working !== null || !canUndo}>
              {t('backups.undoRestore')}
            </button>
          )}
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="card stack">
        <h2>{t('backups.whatTitle')}</h2>
        <BackupContents />
        <BackupFolder dir={place.data?.dir} />
      </div>
      <div class="card">
        <h2>{t('backups.catalogue')}</h2>
        {backups.error !== undefined && <ErrorNotice error={backups.error} onRetry={backups.reload} />}
        {list.length === 0 && !backups.loading && backups.error === undefined ? (
          <p class="muted">{t('backups.empty')}</p>
        ) : (
          <table class="data cards" aria-label={t('backups.title')}>
            <thead>
              <tr>
                <th>{t('backups.colTaken')}</th>
                <th>{t('backups.colKind')}</th>
                <th>{t('backups.colTasks')}</th>
                <th>{t('backups.colUsers')}</th>
                <th>{t('backups.colSize')}</th>
                <th>{t('backups.colCheck')}</th>
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
                  <td class="muted">
                    {named('kind', b.kind)}
                    <SetContents backup={b} />
                  </td>
                  <td class="num" data-label={t('backups.colTasks')}>{formatCount(b.rows?.tasks)}</td>
                  <td class="num" data-label={t('backups.colUsers')}>{formatCount(b.rows?.users)}</td>
                  <td class="num" data-label={t('backups.colSize')}>{formatBytes(b.size)}</td>
                  <td><VerifiedBadge backup={b} /></td>
                  <td class="actions">
                    <button type="button" class="btn small" onClick={() => setPickTasks(b)} disabled={working !== null}>
                      {t('backups.tasks')}
                    </button>{' '}
                    <button type="button" class="btn small" onClick={() => setConfirm(b)} disabled={working !== null}>
                      {t('backups.restore')}
                    </button>
                    {api.backupDownloadUrl && (
                      <a class="btn small" href={api.backupDownloadUrl(b.name)} download={b.name} data-testid="download">
                        {t('backups.download')}
                      </a>
                    )}
                    <button type="button" class="btn small danger" onClick={() => setDeleting(b)} data-testid="delete"
                      disabled={working !== null || b.name === newestVerified?.name || b.name === place.data?.undo?.pre_restore}
                      title={b.name === newestVerified?.name ? t('backups.keepNewest') : b.name === place.data?.undo?.pre_restore ? t('backups.keepUndo') : undefined}>
                      {t('backups.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <DestinationsCard onBackup={backups.reload} />
      <div class="grid-2">
        <ProvenCard />
        <RestoreFromFile empty={list.length === 0 && !backups.loading} onRestored={() => { backups.reload(); jobs.reload(); }} />
      </div>
      <div class="grid-2">
        {schedule.data ? (
          <ScheduleCard schedule={schedule.data} onSaved={() => schedule.reload()} />
        ) : (
          <div class="card">{schedule.error !== undefined ? <ErrorNotice error={schedule.error} onRetry={schedule.reload} /> : <p class="faint">{t('common.loading')}</p>}</div>
        )}
        <div class="card">
          <h2>{t('backups.recentJobs')}</h2>
          {jobs.error !== undefined ? <ErrorNotice error={jobs.error} onRetry={jobs.reload} /> : <JobList jobs={jobs.data ?? []} />}
        </div>
      </div>
      {pickTasks && (
        <TaskRestoreDialog
          backup={pickTasks}
          onCancel={() => setPickTasks(null)}
          onDone={(r) => {
            setPickTasks(null);
            place.reload();
            let text = t('taskRestore.done', { n: r.added.length + r.replaced.length, when: formatDateTime(pickTasks.created_at) });
            if (r.files) {
              text += ' ' + t('taskRestore.files', { n: r.files.restored, same: r.files.same, aside: r.files.kept_aside?.length ?? 0 });
            }
            setNotice({ text, undo: true });
          }}
        />
      )}
      {deleting && (
        <DeleteBackupDialog
          backup={deleting}
          onCancel={() => setDeleting(null)}
          onDone={() => {
            setDeleting(null);
            setNotice({ text: t('backups.deleted', { name: deleting.name }) });
            backups.reload();
          }}
        />
      )}
      {askUndo && place.data?.undo && (
        <ConfirmDialog
          title={t('backups.undoTitle')}
          confirmLabel={working === 'undo' ? t('backups.undoing') : t('backups.undo')}
          busy={working === 'undo'}
          onCancel={() => setAskUndo(false)}
          onConfirm={undo}
        >
          <p style={{ marginTop: 0 }}>{t('backups.undoBody', { source: place.data.undo.source, when: formatDateTime(place.data.undo.at) })}</p>
        </ConfirmDialog>
      )}
      {confirm && (
        <RestoreDialog
          backup={confirm}
          onCancel={() => setConfirm(null)}
          onDone={(b) => {
            setConfirm(null);
            setNotice({ text: t('backups.restored', { when: formatDateTime(b.created_at) }), undo: true });
            backups.reload();
            place.reload();
            jobs.reload();
          }}
        />
      )}
    </section>
  );
}
