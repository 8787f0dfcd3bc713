import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { STATUSES, toApiError, type Task } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { Icon } from '../components/Icon';
import { StatusBadge } from '../components/StatusBadge';
import { TaskThumb } from '../components/TaskThumb';
import { TrashRetention } from '../components/TrashRetention';
import { showToast } from '../components/Toast';
import { formatCount, formatRelative } from '../lib/format';
import { Pager, type PagerState } from '../lib/pager';
import { routeHash } from '../lib/route';
import { NO_PICKS, pick, type Picks } from '../lib/selection';
import { api, useNotifications } from '../state';
import { t } from '../i18n';

const PAGE_SIZE = 100;

/** One trashed task: tick box, poster, prompt, when it was trashed, Restore. */
function TrashRow({ task, index, picked, onPick, onRestore }: {
  task: Task;
  index: number;
  picked: boolean;
  onPick: (i: number, shift: boolean) => void;
  onRestore: (ids: string[]) => void;
}) {
  const hasVideo = task.status === 'completed' || task.completed_scenes > 0;
  return (
    <li class="trash-row" data-task-id={task.task_id}>
      <input type="checkbox" class="pick" checked={picked} aria-label={t('bulk.pickRow')} onClick={(e) => onPick(index, e.shiftKey)} />
      {hasVideo ? <TaskThumb task={task} idle /> : <div class={`thumb blank st-${task.status}`} />}
      <div class="prompt-text">
        <a class="prompt-line" href={routeHash({ screen: 'task', taskId: task.task_id })} title={task.prompt}>
          {task.prompt}
        </a>
        <div class="sub-line">
          <StatusBadge status={task.status} /> {task.username} · <span title={task.trashed_at}>{t('trash.trashedAgo', { when: formatRelative(task.trashed_at) })}</span>
        </div>
      </div>
      <button type="button" class="btn small" onClick={() => onRestore([task.task_id])}>
        {t('trash.restore')}
      </button>
    </li>
  );
}

/** The trash: tasks moved there, to restore or delete for good, and how long it keeps them. */
export function TrashScreen({ owner }: { owner: boolean }) {
  const [state, setState] = useState<PagerState>({ tasks: [], done: false, loading: true });
  const [error, setError] = useState<unknown>();
  const [total, setTotal] = useState<number>();
  const [picks, setPicks] = useState<Picks>(NO_PICKS);
  const [emptying, setEmptying] = useState(false);
  const [busy, setBusy] = useState(false);
  const pager = useMemo(() => new Pager((cursor) => api.listTasks({ trashed: true, cursor, limit: PAGE_SIZE }), setState), []);
  const ids = useRef<string[]>([]);
  ids.current = state.tasks.map((x) => x.task_id);

  const load = () => {
    setPicks(NO_PICKS);
    pager.reset().then(() => setError(undefined), setError);
    api.countTasks({ trashed: true }).then((c) => setTotal(STATUSES.reduce((n, s) => n + (c[s] ?? 0), 0)), () => setTotal(undefined));
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, []);
  useNotifications((n) => {
    if (n.type === 'trash' || n.type === 'resync' || n.type === 'restore') load();
  }, []);

  const restore = (list: string[]) => {
    setBusy(true);
    api
      .restoreFromTrash(list)
      .then((r) => showToast(t('trash.restored', { n: r.changed })), (e) => showToast(toApiError(e).message))
      .finally(() => {
        setBusy(false);
        load();
      });
  };
  const empty = () => {
    setBusy(true);
    api
      .emptyTrash()
      .then((r) => showToast(t('trash.emptied', { n: r.changed })), (e) => showToast(toApiError(e).message))
      .finally(() => {
        setBusy(false);
        setEmptying(false);
        load();
      });
  };

  return (
    <section class="screen" aria-label={t('trash.title')} data-screen="trash">
      <div class="screen-head">
        <h1>{t('trash.title')}</h1>
        <span class="faint num" data-testid="trash-count">{total !== undefined ? t('history.count', { n: formatCount(total) }) : ''}</span>
        <div class="spacer" />
        {picks.ids.size > 0 && (
          <button type="button" class="btn" disabled={busy} onClick={() => restore([...picks.ids])} data-testid="restore-picked">
            {t('trash.restorePicked', { n: picks.ids.size })}
          </button>
        )}
        <button type="button" class="btn danger" disabled={busy || !state.tasks.length} onClick={() => setEmptying(true)} data-testid="empty-trash">
          <Icon name="trash" /> {t('trash.empty')}
        </button>
      </div>
      <p class="muted" style={{ margin: 0 }}>{t('trash.hint')}</p>
      <TrashRetention owner={owner} />
      {error !== undefined && <ErrorNotice error={error} onRetry={load} />}
      {!state.loading && !state.tasks.length && error === undefined ? (
        <div class="empty" data-empty="trash">
          <h3>{t('trash.nothing')}</h3>
        </div>
      ) : (
        <ul class="trash-list card">
          {state.tasks.map((task, i) => (
            <TrashRow key={task.task_id} task={task} index={i} picked={picks.ids.has(task.task_id)}
              onPick={(at, shift) => setPicks((p) => pick(p, ids.current, at, shift))} onRestore={restore} />
          ))}
        </ul>
      )}
      {!state.done && state.tasks.length > 0 && (
        <button type="button" class="btn" disabled={state.loading} onClick={() => pager.loadMore().catch(setError)}>
          {t('trash.more')}
        </button>
      )}
      {emptying && (
        <ConfirmDialog title={t('trash.emptyTitle')} confirmLabel={t('trash.emptyConfirm')} busy={busy} onConfirm={empty} onCancel={() => setEmptying(false)}>
          <p class="muted">{t('trash.emptyBody', { n: total ?? state.tasks.length })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
