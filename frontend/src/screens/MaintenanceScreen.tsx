import { useState } from 'preact/hooks';
import type { JobRun, MaintenanceOp } from '../api';
import { AboutCard } from '../components/AboutCard';
import { ErrorNotice } from '../components/ErrorNotice';
import { SessionCard } from '../components/SessionCard';
import { MediaRootsCard } from '../components/MediaRootsCard';
import { ProgressBar } from '../components/ProgressBar';
import { formatBytes, formatCount, formatRelative } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useClock } from '../state';
import { JobList, jobResult } from './BackupsScreen';
import { t } from '../i18n';

const OPS = ['optimize', 'checkpoint', 'check', 'vacuum'] as const satisfies readonly MaintenanceOp[];

/** How many of the largest tables and indexes are listed before "show all". */
const TABLES_SHOWN = 10;

/** The newest run of a job, if any. */
function lastRun(jobs: JobRun[], op: string): JobRun | undefined {
  const ids = op === 'check' ? ['check', 'integrity_check', 'integrity'] : [op];
  return jobs.find((j) => ids.includes(j.job_id));
}

/** Database and WAL size, size per table, last runs and buttons to run each job. */
export function MaintenanceScreen() {
  useClock(); // relative times keep ticking
  const status = useAsync(() => api.status(), []);
  const jobs = useAsync(() => api.listJobs(), []);
  const [running, setRunning] = useState<MaintenanceOp | null>(null);
  const [error, setError] = useState<unknown>();
  const [allTables, setAllTables] = useState(false);
  const db = status.data?.database;
  const tables = [...(db?.tables ?? [])].sort((a, b) => b.bytes - a.bytes);
  const biggest = tables[0]?.bytes ?? 1;

  const run = (op: MaintenanceOp) => {
    setRunning(op);
    setError(undefined);
    api.runMaintenance(op).then(
      () => {
        status.reload();
        jobs.reload();
      },
      setError,
    ).finally(() => setRunning(null));
  };

  return (
    <section class="screen" aria-label={t('maint.title')} data-screen="maintenance">
      <div class="screen-head">
        <h1>{t('maint.title')}</h1>
        <div class="spacer" />
        {status.data?.data_dir && <span class="faint mono path">{status.data.data_dir}</span>}
      </div>
      {status.error !== undefined && <ErrorNotice error={status.error} onRetry={status.reload} />}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="tiles four">
        <div class="tile"><div class="label">{t('maint.database')}</div><div class="value" data-testid="db-size">{formatBytes(db?.file_size)}</div><div class="hint">{t('maint.schema', { engine: db?.engine ?? '', v: String(db?.schema_version ?? '—') })}</div></div>
        <div class="tile"><div class="label">{t('maint.wal')}</div><div class="value">{formatBytes(db?.wal_size)}</div><div class="hint">{t('maint.walHint')}</div></div>
        <div class="tile"><div class="label">{t('maint.free')}</div><div class="value">{db ? formatBytes(db.free_pages * db.page_size) : '—'}</div><div class="hint">{t('maint.freeHint', { n: formatCount(db?.free_pages) })}</div></div>
        <div class="tile"><div class="label">{t('maint.tasks')}</div><div class="value">{formatCount(db?.counts?.tasks)}</div><div class="hint">{t('maint.videosHint', { n: formatCount(db?.counts?.videos) })}</div></div>
      </div>
      <div class="grid-2">
        <div class="card">
          <h2>{t('maint.jobs')}</h2>
          <div class="stack">
            {OPS.map((op) => {
              const last = lastRun(jobs.data ?? [], op);
              const detail = last?.error || last?.detail;
              const when = last ? formatRelative(last.started_at) : '';
              return (
                <div key={op} class="row" style={{ alignItems: 'flex-start', borderBottom: '1px solid var(--border)', paddingBottom: '10px' }} data-op={op}>
                  <div style={{ flex: 1 }}>
                    <strong>{t(`op.${op}`)}</strong>
                    <div class="muted">{t(`op.${op}.what`)}</div>
                    <div class="faint" data-testid={`last-${op}`}>
                      {!last ? t('maint.never') : detail ? t('maint.lastRunDetail', { when, result: jobResult(last.result), detail }) : t('maint.lastRun', { when, result: jobResult(last.result) })}
                    </div>
                  </div>
                  <button type="button" class="btn" disabled={running !== null} onClick={() => run(op)}>
                    {running === op ? t('maint.running') : t('maint.run')}
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div class="card">
          <h2>{t('maint.tableSizes')}</h2>
          {(allTables ? tables : tables.slice(0, TABLES_SHOWN)).map((tb) => (
            <div key={tb.name} class="bar-row" data-table={tb.name}>
              <span class="mono" title={tb.rows !== undefined ? t('maint.rows', { name: tb.name, n: formatCount(tb.rows) }) : t('maint.index', { name: tb.name })} style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{tb.name}</span>
              <ProgressBar value={(tb.bytes / biggest) * 100} label={tb.name} />
              <span class="num muted" style={{ textAlign: 'right' }}>{formatBytes(tb.bytes)}</span>
            </div>
          ))}
          {tables.length > TABLES_SHOWN && (
            <button type="button" class="btn small ghost" onClick={() => setAllTables(!allTables)}>
              {allTables ? t('maint.largestOnly') : t('maint.showAll', { n: tables.length })}
            </button>
          )}
        </div>
      </div>
      <MediaRootsCard />
      <SessionCard />
      <div class="card">
        <h2>{t('maint.recent')}</h2>
        {jobs.error !== undefined ? <ErrorNotice error={jobs.error} onRetry={jobs.reload} /> : <JobList jobs={jobs.data ?? []} limit={12} />}
      </div>
      {status.data && <AboutCard status={status.data} />}
    </section>
  );
}
