import { useState } from 'preact/hooks';
import { toApiError, type Script, type Task, type TaskEvent, type Video } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { Icon } from '../components/Icon';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { FactsFlag } from '../components/FactsFlag';
import { FileFacts, VideoPlayer, type MediaFacts } from '../components/VideoPlayer';
import { LibraryCard } from '../components/LibraryCard';
import { RerunDialog } from '../components/RerunDialog';
import { Takes } from '../components/Takes';
import { showToast } from '../components/Toast';
import { TrashButton } from '../components/TrashButton';
import { VideoFixActions } from '../components/VideoFix';
import { formatCount, formatDateTime, formatDuration } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';
import { hasKey, t } from '../i18n';

/** The name of an event type; one the UI does not know shows as sent. */
function eventLabel(e: TaskEvent): string {
  const key = `event.${e.type}`;
  return hasKey(key) ? t(key, { n: e.progress }) : e.type;
}

/** The status history of a task, from its event log. */
function Timeline({ events }: { events: TaskEvent[] }) {
  return (
    <ol class="timeline" aria-label={t('task.timeline')}>
      {events.map((e) => (
        <li key={e.id}>
          <span class={`dot st-${e.status}`} />
          <div>
            <div>{eventLabel(e)}</div>
            {e.message && <div class="muted">{e.message}</div>}
            <div class="faint num">{formatDateTime(e.created_at)}</div>
          </div>
        </li>
      ))}
    </ol>
  );
}

/** One scene: its clip and its script; fixes (replace, remove) when it has a video and fixable is set. */
function SceneCard({ taskId, script, video, fixable, onChanged }: { taskId: string; script?: Script; video?: Video; fixable: boolean; onChanged: () => void }) {
  const n = script?.scene_number ?? video?.scene_number ?? 0;
  return (
    <div class="scene" data-scene={n}>
      {video ? <VideoPlayer video={video} label={t('scene.title', { n: String(n) })} /> : <div class="no-video">{t('scene.noClip')}</div>}
      <div>
        <strong>{t('scene.title', { n: String(n) })}</strong>
        <p style={{ margin: '4px 0 0' }}>{script?.description ?? <span class="faint">{t('scene.noScript')}</span>}</p>
        <div class="scene-meta">
          {script && <span><span class="faint">{t('scene.length')}</span> {formatDuration(script.duration)}</span>}
          {script?.camera_movement && <span><span class="faint">{t('scene.camera')}</span> {script.camera_movement}</span>}
          {script?.lighting && <span><span class="faint">{t('scene.lighting')}</span> {script.lighting}</span>}
          {video && !video.missing && video.width && <span class="num">{video.width}×{video.height}</span>}
          {video?.codec && <span class="mono">{video.codec}</span>}
          {video && <FactsFlag video={video} />}
        </div>
        {video && fixable && <VideoFixActions taskId={taskId} video={video} label={t('scene.title', { n: String(n) })} onDone={onChanged} />}
      </div>
    </div>
  );
}

function exportJson(task: Task) {
  const blob = new Blob([JSON.stringify(task, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `task-${task.task_id}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Everything about one task: prompt, progress, scenes, videos, timeline. */
export function TaskScreen({ taskId }: { taskId: string }) {
  const { data, error, reload } = useAsync(() => api.getTask(taskId), [taskId]);
  // Another task's data stays on screen until this one has loaded; never show it as this one.
  const task = data?.task_id === taskId ? data : undefined;
  const [rerun, setRerun] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  // Facts read from the final video's header, by video, for files registered without them.
  const [finalMedia, setFinalMedia] = useState<{ id: number; facts: MediaFacts }>();
  useNotifications((n) => {
    const mine = n.task_id === taskId || (Array.isArray(n.data) && (n.data as string[]).includes(taskId));
    if (((n.type === 'task' || n.type === 'library' || n.type === 'trash') && mine) || n.type === 'resync' || n.type === 'restore') reload();
  }, [taskId]);

  const back = (
    <button type="button" class="btn ghost" onClick={() => (history.length > 1 ? history.back() : (location.hash = '#/history'))}>
      <Icon name="back" /> {t('nav.history')}
    </button>
  );
  if (!task) {
    return (
      <section class="screen" aria-label={t('task.label')} data-screen="task">
        <div class="screen-head">{back}</div>
        {error !== undefined ? <ErrorNotice error={error} onRetry={reload} /> : <p class="faint">{t('common.loading')}</p>}
      </section>
    );
  }

  const final = task.videos?.find((v) => v.scene_number === 0);
  const sceneNumbers = new Set<number>();
  task.scripts?.forEach((s) => sceneNumbers.add(s.scene_number));
  task.videos?.forEach((v) => v.scene_number > 0 && sceneNumbers.add(v.scene_number));
  const scenes = [...sceneNumbers].sort((a, b) => a - b);
  const live = task.status === 'pending' || task.status === 'processing';
  const trashed = Boolean(task.trashed_at);

  return (
    <section class="screen" aria-label={t('task.label')} data-screen="task" data-task-id={task.task_id}>
      <div class="screen-head">
        {back}
        <div class="spacer" />
        {live && (
          <button type="button" class="btn danger" onClick={() => api.cancelTask(task.task_id).then(reload, setActionError)}>
            {t('task.cancel')}
          </button>
        )}
        {!live && !trashed && (
          <button type="button" class="btn" onClick={() => setRerun(true)} data-testid="rerun">
            <Icon name="rerun" /> {t('rerun.open')}
          </button>
        )}
        <button type="button" class="btn" onClick={() => exportJson(task)}>
          <Icon name="download" /> {t('task.export')}
        </button>
        {!trashed && <TrashButton ids={() => Promise.resolve([task.task_id])} onDone={reload} />}
      </div>
      {actionError !== undefined && <ErrorNotice error={actionError} />}
      {trashed && (
        <div class="notice row" role="status" data-testid="in-trash">
          <Icon name="trash" /> <span>{t('trash.thisIsTrashed', { when: formatDateTime(task.trashed_at) })}</span>
          <button type="button" class="btn small" onClick={() => api.restoreFromTrash([task.task_id]).then(reload, (e) => showToast(toApiError(e).message))}>
            {t('trash.restore')}
          </button>
        </div>
      )}
      {rerun && <RerunDialog task={task} onClose={() => setRerun(false)} />}
      <div class="task-layout">
        <div class="stack" style={{ gap: '16px' }}>
          <div class="card stack">
            <div class="row">
              <StatusBadge status={task.status} />
              <span class="muted">{task.username}</span>
              <span class="faint mono task-id">{task.task_id}</span>
              <div style={{ flex: 1 }} />
              <CopyButton text={task.prompt} label={t('task.copyPrompt')} />
            </div>
            <p class="prompt-text" data-testid="prompt">
              {task.prompt}
            </p>
            <div class="row" style={{ gap: '12px' }}>
              <div style={{ flex: 1 }}>
                <ProgressBar value={task.status === 'completed' ? 100 : task.progress} status={task.status} big label={t('task.progress')} />
              </div>
              <span class="num muted">
                {task.status === 'completed' ? 100 : task.progress}% · {t('row.scenes', { done: task.completed_scenes, total: task.total_scenes })}
              </span>
            </div>
            {task.error_message && (
              <div class="error-box" role="alert">
                <div>
                  <div class="code">{t('status.failed')}</div>
                  {task.error_message}
                </div>
              </div>
            )}
          </div>
          <LibraryCard task={task} onChanged={reload} />
          {final && (
            <div class="card">
              <h2>{t('task.final')}</h2>
              <VideoPlayer video={final} label={t('task.final')} onMedia={(facts) => setFinalMedia({ id: final.id, facts })} />
              <FileFacts video={final} media={finalMedia?.id === final.id ? finalMedia.facts : undefined} />
              {!trashed && <VideoFixActions taskId={task.task_id} video={final} label={t('task.final')} onDone={reload} />}
            </div>
          )}
          <Takes task={task} />
          <div class="card">
            <h2>{t('task.scenes')}</h2>
            {scenes.length ? (
              <div class="scenes">
                {scenes.map((n) => (
                  <SceneCard key={n} taskId={task.task_id} script={task.scripts?.find((s) => s.scene_number === n)} video={task.videos?.find((v) => v.scene_number === n)}
                    fixable={!trashed} onChanged={reload} />
                ))}
              </div>
            ) : (
              <p class="faint">{t('task.noScripts')}</p>
            )}
          </div>
        </div>
        <div class="stack" style={{ gap: '16px' }}>
          <div class="card">
            <h2>{t('task.details')}</h2>
            <div class="kv"><span class="muted">{t('task.created')}</span><span class="num">{formatDateTime(task.created_at)}</span></div>
            <div class="kv"><span class="muted">{t('task.started')}</span><span class="num">{formatDateTime(task.started_at)}</span></div>
            <div class="kv"><span class="muted">{t('task.finished')}</span><span class="num">{formatDateTime(task.completed_at)}</span></div>
            <div class="kv"><span class="muted">{t('task.took')}</span><span class="num">{formatDuration(task.duration)}</span></div>
            <div class="kv"><span class="muted">{t('task.attempts')}</span><span class="num">{formatCount(task.attempts)}</span></div>
            {task.lease_owner && <div class="kv"><span class="muted">{t('task.worker')}</span><span>{task.lease_owner}</span></div>}
          </div>
          <div class="card">
            <h2>{t('task.timeline')}</h2>
            {task.events?.length ? <Timeline events={task.events} /> : <p class="faint">{t('task.noEvents')}</p>}
          </div>
        </div>
      </div>
    </section>
  );
}
