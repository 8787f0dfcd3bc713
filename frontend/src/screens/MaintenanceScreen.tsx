import { useState } from 'preact/hooks';
import type { JobRun, MaintenanceOp } from '../api';
import { AboutCard } from '../components/AboutCard';
import { ErrorNotice } from '../components/ErrorNotice';
import { MediaRootsCard } from '../components/MediaRootsCard';
import { ProgressBar } from '../components/ProgressBar';
import { formatBytes, formatCount, formatRelative } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useClock } from '../state';
import { JobList } from './BackupsScreen';

const OPS: { op: MaintenanceOp; label: string; what: string }[] = [
  { op: 'optimize', label: 'Optimize', what: "Refreshes the query planner's statistics where they are stale. Quick." },
  { op: 'checkpoint', label: 'Checkpoint', what: 'Moves the write-ahead log into the database file and truncates it.' },
  { op: 'check', label: 'Integrity check', what: 'Reads every page and index and reports any damage.' },
  { op: 'vacuum', label: 'VACUUM', what: 'Rewrites the file without its free pages. Takes a while on big databases.' },
];

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
    <section class="screen" aria-label="Maintenance">
      <div class="screen-head">
        <h1>Maintenance</h1>
        <div class="spacer" />
        {status.data?.data_dir && <span class="faint mono">{status.data.data_dir}</span>}
      </div>
      {status.error !== undefined && <ErrorNotice error={status.error} onRetry={status.reload} />}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="tiles" style={{ gridTemplateColumns: 'repeat(4, minmax(0, 1fr))' }}>
        <div class="tile"><div class="label">Database</div><div class="value" data-testid="db-size">{formatBytes(db?.file_size)}</div><div class="hint">{db?.engine ?? ''} · schema v{db?.schema_version ?? '—'}</div></div>
        <div class="tile"><div class="label">Write-ahead log</div><div class="value">{formatBytes(db?.wal_size)}</div><div class="hint">folded in by checkpoints</div></div>
        <div class="tile"><div class="label">Free space</div><div class="value">{db ? formatBytes(db.free_pages * db.page_size) : '—'}</div><div class="hint">{formatCount(db?.free_pages)} free pages</div></div>
        <div class="tile"><div class="label">Tasks</div><div class="value">{formatCount(db?.counts?.tasks)}</div><div class="hint">{formatCount(db?.counts?.videos)} videos</div></div>
      </div>
      <div class="grid-2">
        <div class="card">
          <h2>Jobs</h2>
          <div class="stack">
            {OPS.map(({ op, label, what }) => {
              const last = lastRun(jobs.data ?? [], op);
              return (
                <div key={op} class="row" style={{ alignItems: 'flex-start', borderBottom: '1px solid var(--border)', paddingBottom: '10px' }} data-op={op}>
                  <div style={{ flex: 1 }}>
                    <strong>{label}</strong>
                    <div class="muted">{what}</div>
                    <div class="faint" data-testid={`last-${op}`}>
                      {last ? `Last run ${formatRelative(last.started_at)}: ${last.result}${last.error ? ` — ${last.error}` : last.detail ? ` — ${last.detail}` : ''}` : 'Never run'}
                    </div>
                  </div>
                  <button type="button" class="btn" disabled={running !== null} onClick={() => run(op)}>
                    {running === op ? 'Running…' : 'Run now'}
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div class="card">
          <h2>Size per table</h2>
          {(allTables ? tables : tables.slice(0, TABLES_SHOWN)).map((t) => (
            <div key={t.name} class="bar-row" data-table={t.name}>
              <span class="mono" title={t.rows !== undefined ? `${t.name}: ${formatCount(t.rows)} rows` : `${t.name} (index)`} style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{t.name}</span>
              <ProgressBar value={(t.bytes / biggest) * 100} label={`${t.name} size`} />
              <span class="num muted" style={{ textAlign: 'right' }}>{formatBytes(t.bytes)}</span>
            </div>
          ))}
          {tables.length > TABLES_SHOWN && (
            <button type="button" class="btn small ghost" onClick={() => setAllTables(!allTables)}>
              {allTables ? 'Show the largest only' : `Show all ${tables.length} tables and indexes`}
            </button>
          )}
        </div>
      </div>
      <MediaRootsCard />
      <div class="card">
        <h2>Recent runs</h2>
        {jobs.error !== undefined ? <ErrorNotice error={jobs.error} onRetry={jobs.reload} /> : <JobList jobs={jobs.data ?? []} limit={12} />}
      </div>
      {status.data && <AboutCard status={status.data} />}
    </section>
  );
}
