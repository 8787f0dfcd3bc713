import { useRef, useState } from 'preact/hooks';
import type { Task } from '../api';
import { formatClock, formatRelative } from '../lib/format';
import { routeHash } from '../lib/route';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';
import { ErrorNotice } from './ErrorNotice';
import { StatusBadge } from './StatusBadge';
import { VideoPlayer } from './VideoPlayer';
import { t } from '../i18n';

/** A take's name: the origin, or its place among the reruns. */
function takeLabel(i: number): string {
  return i === 0 ? t('takes.origin') : t('takes.take', { n: i + 1 });
}

/** The videos inside el. */
const videosIn = (el: HTMLElement | null) => [...(el?.querySelectorAll('video') ?? [])];

/**
 * Two takes' final videos side by side. Playing, pausing or seeking either
 * does the same to the other; one bar plays, pauses and seeks both.
 */
function CompareTakes({ a, b, labels }: { a: string; b: string; labels: [string, string] }) {
  const pair = useAsync(() => Promise.all([api.getTask(a), api.getTask(b)]), [a, b]);
  const box = useRef<HTMLDivElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [length, setLength] = useState(0);
  // Each handler leaves a video alone once it agrees, so following never loops.
  const others = (e: Event) => videosIn(box.current).filter((v) => v !== e.target);
  const onPlay = (e: Event) => {
    setPlaying(true);
    others(e).forEach((v) => v.paused && v.play().catch(() => undefined));
  };
  const onPause = (e: Event) => {
    setPlaying(false);
    others(e).forEach((v) => !v.paused && v.pause());
  };
  const onSeeked = (e: Event) => {
    const at = (e.target as HTMLVideoElement).currentTime;
    others(e).forEach((v) => Math.abs(v.currentTime - at) > 0.25 && (v.currentTime = at));
  };
  const seekAll = (at: number) => videosIn(box.current).forEach((v) => (v.currentTime = at));
  if (pair.error !== undefined) return <ErrorNotice error={pair.error} onRetry={pair.reload} />;
  if (!pair.data) return <p class="faint">{t('common.loading')}</p>;
  return (
    <div class="stack" data-testid="compare">
      <div
        ref={box}
        class="compare"
        onPlayCapture={onPlay}
        onPauseCapture={onPause}
        onSeekedCapture={onSeeked}
        onTimeUpdateCapture={(e) => setTime((e.target as HTMLVideoElement).currentTime)}
        onLoadedMetadataCapture={() => setLength(Math.max(0, ...videosIn(box.current).map((v) => (Number.isFinite(v.duration) ? v.duration : 0))))}
      >
        {pair.data.map((task, i) => {
          const final = task.videos?.find((v) => v.scene_number === 0);
          return (
            <figure key={task.task_id} class="compare-side" data-task-id={task.task_id}>
              {final ? <VideoPlayer video={final} label={labels[i]!} /> : <div class="no-video">{t('takes.noFinal')}</div>}
              <figcaption class="muted">{labels[i]}</figcaption>
            </figure>
          );
        })}
      </div>
      <div class="row compare-bar">
        <button type="button" class="btn small" data-testid="compare-play"
          onClick={() => videosIn(box.current).forEach((v) => (playing ? v.pause() : v.play().catch(() => undefined)))}>
          {t(playing ? 'takes.pauseBoth' : 'takes.playBoth')}
        </button>
        <input type="range" class="compare-seek" min={0} max={length || 1} step={0.05} value={time} aria-label={t('takes.seekBoth')} data-testid="compare-seek"
          onInput={(e) => seekAll(Number((e.currentTarget as HTMLInputElement).value))} />
        <span class="num faint">{formatClock(time)} / {formatClock(length)}</span>
      </div>
    </div>
  );
}

/** A task's takes (the origin and every rerun), two of which compare side by side. */
export function Takes({ task }: { task: Task }) {
  const takes = useAsync(() => api.takes(task.task_id), [task.task_id]);
  useNotifications((n) => {
    if ((n.type === 'task' && n.status === 'pending') || n.type === 'trash' || n.type === 'resync') takes.reload();
  }, [task.task_id]);
  const list = takes.data ?? [];
  const [chosen, setChosen] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  if (takes.error !== undefined) return <div class="card"><ErrorNotice error={takes.error} onRetry={takes.reload} /></div>;
  if (list.length < 2) return null;
  // Until two are chosen, the origin and this task (or the newest) compare.
  const fallback = [list[0]!.task_id, list.some((x, i) => i > 0 && x.task_id === task.task_id) ? task.task_id : list[list.length - 1]!.task_id];
  const pair = chosen.length === 2 ? chosen : fallback;
  const label = (id: string) => takeLabel(list.findIndex((x) => x.task_id === id));
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c.slice(-1), id]));
  return (
    <div class="card stack" data-testid="takes">
      <div class="row">
        <h2 style={{ margin: 0 }}>{t('takes.title', { n: list.length })}</h2>
        <div class="spacer" style={{ flex: 1 }} />
        <button type="button" class="btn small" aria-pressed={comparing} data-testid="compare-toggle" onClick={() => setComparing((c) => !c)}>
          {t(comparing ? 'takes.hideCompare' : 'takes.compare')}
        </button>
      </div>
      <ol class="takes">
        {list.map((x, i) => (
          <li key={x.task_id} data-task-id={x.task_id} aria-current={x.task_id === task.task_id ? 'true' : undefined}>
            <input type="checkbox" checked={pair.includes(x.task_id)} aria-label={t('takes.pickCompare', { take: takeLabel(i) })} onChange={() => toggle(x.task_id)} />
            <a href={routeHash({ screen: 'task', taskId: x.task_id })}>{takeLabel(i)}</a>
            <StatusBadge status={x.status} />
            <span class="prompt-line muted" title={x.prompt}>{x.prompt}</span>
            <span class="faint">{x.task_id === task.task_id ? t('takes.thisOne') : formatRelative(x.created_at)}</span>
          </li>
        ))}
      </ol>
      {comparing && <CompareTakes a={pair[0]!} b={pair[1]!} labels={[label(pair[0]!), label(pair[1]!)]} />}
    </div>
  );
}
