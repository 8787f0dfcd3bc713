import { useState } from 'preact/hooks';
import type { Backup, TaskRestoreResult } from '../api';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import { formatCount, formatDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { t } from '../i18n';
import type { MessageKey } from '../i18n/en';

/**
 * The preview of a backup against the live history (tasks missing here,
 * changed, files missing) with a tick box per differing task, and the
 * restore of just the ticked ones.
 */
export function TaskRestoreDialog({ backup, onDone, onCancel }: { backup: Backup; onDone: (r: TaskRestoreResult) => void; onCancel: () => void }) {
  const preview = useAsync(() => api.previewTasks(backup.name), [backup.name]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const p = preview.data;
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  return (
    <ConfirmDialog
      title={t('taskRestore.title', { when: formatDateTime(backup.created_at) })}
      confirmLabel={busy ? t('taskRestore.busy') : t('taskRestore.confirm', { n: picked.size })}
      busy={busy || picked.size === 0}
      onCancel={onCancel}
      onConfirm={() => {
        setBusy(true);
        setError(undefined);
        api.restoreTasks(backup.name, [...picked]).then(onDone, (e) => {
          setBusy(false);
          setError(e);
        });
      }}
    >
      <p class="muted" style={{ marginTop: 0 }}>{t('taskRestore.body')}</p>
      {preview.error !== undefined && <ErrorNotice error={preview.error} onRetry={preview.reload} />}
      {!p && preview.error === undefined && <p class="faint">{t('taskRestore.loading')}</p>}
      {p && (
        <div class="stack" data-testid="task-preview">
          <p data-testid="task-preview-summary">
            {t('taskRestore.summary', {
              set: formatCount(p.set_tasks),
              live: formatCount(p.live_tasks),
              same: formatCount(p.same),
              missing: formatCount(p.missing),
              changed: formatCount(p.changed),
              files: formatCount(p.files_missing),
            })}
          </p>
          {p.only_here > 0 && <p class="faint">{t('taskRestore.onlyHere', { n: formatCount(p.only_here) })}</p>}
          {p.tasks.length === 0 ? (
            <p class="muted">{t('taskRestore.nothing')}</p>
          ) : (
            <div style={{ maxHeight: '40vh', overflow: 'auto' }}>
              <table class="data" aria-label={t('taskRestore.title', { when: formatDateTime(backup.created_at) })}>
                <thead>
                  <tr>
                    <th>
                      <label>
                        <input
                          type="checkbox"
                          aria-label={t('taskRestore.all')}
                          checked={picked.size === p.tasks.length}
                          onChange={() => setPicked(picked.size === p.tasks.length ? new Set() : new Set(p.tasks.map((x) => x.task_id)))}
                        />
                      </label>
                    </th>
                    <th>{t('restore.what')}</th>
                    <th />
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {p.tasks.map((task) => (
                    <tr key={task.task_id} data-task={task.task_id} data-diff={task.diff}>
                      <td>
                        <input type="checkbox" aria-label={t('taskRestore.pick') + ' ' + task.task_id} checked={picked.has(task.task_id)} onChange={() => toggle(task.task_id)} />
                      </td>
                      <td>
                        <div>{task.prompt}</div>
                        <div class="faint mono" style={{ fontSize: '11px' }}>{task.task_id}</div>
                      </td>
                      <td>
                        <span class={`badge ${task.diff === 'changed' ? '' : 'bad'}`}>{t(`taskRestore.diff.${task.diff}` as MessageKey)}</span>
                      </td>
                      <td class="faint num">{task.created_at ? formatDateTime(task.created_at) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {p.truncated && <p class="faint">{t('taskRestore.truncated', { n: p.tasks.length })}</p>}
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
    </ConfirmDialog>
  );
}
