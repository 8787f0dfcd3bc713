import { useEffect, useRef, useState } from 'preact/hooks';
import type { Task } from '../api';
import { api, useNotifications } from '../state';
import { t } from '../i18n';

// Final-video IDs by task, so a row scrolled back into view does not ask again.
const finalVideo = new Map<string, number | null>();
const inFlight = new Map<string, Promise<number | null>>();

/** The video a task's poster shows: its final video, else a scene's. */
export function findFinalVideo(taskId: string): Promise<number | null> {
  const known = finalVideo.get(taskId);
  if (known !== undefined) return Promise.resolve(known);
  let p = inFlight.get(taskId);
  if (!p) {
    p = api
      .getTask(taskId)
      .then((t) => {
        const v = t.videos?.find((x) => x.scene_number === 0 && !x.missing) ?? t.videos?.find((x) => !x.missing);
        return v ? v.id : null;
      })
      .catch(() => null)
      .then((id) => {
        finalVideo.set(taskId, id);
        inFlight.delete(taskId);
        return id;
      });
    inFlight.set(taskId, p);
  }
  return p;
}

/**
 * How each task's poster came out: "ready" (the server's JPEG), "capture"
 * (no poster maker on the server: a frame taken from the video here), so a
 * row built again does not try again.
 */
const posterMode = new Map<string, 'ready' | 'capture'>();
/** Frames taken from videos here, as data URLs, by task. */
const captured = new Map<string, string>();

/** How often, and how long apart, a pending poster is asked for again without a notification. */
const PENDING_RETRIES = 8;
const PENDING_RETRY_MS = 1500;

/**
 * A task's poster: the frame the server made (a JPEG, cached), or while it
 * is being made a placeholder until the "poster" notification comes. Where
 * the server cannot make posters (no ffmpeg) the frame is taken from the
 * video here. Hovering scrubs through the clip: the pointer's place across
 * the poster is the place in the video. Asks only while the list is at rest
 * (idle), so scrolling never waits on the network.
 */
export function TaskThumb({ task, idle }: { task: Task; idle: boolean }) {
  const id = task.task_id;
  const [mode, setMode] = useState<'loading' | 'pending' | 'ready' | 'capture'>(() => posterMode.get(id) ?? 'loading');
  const [rev, setRev] = useState(0);
  const [scrub, setScrub] = useState<number | null>(null);
  const tries = useRef(0);
  const started = useRef(idle || posterMode.has(id));
  if (idle) started.current = true;

  useNotifications(
    (n) => {
      if (n.task_id !== id) return;
      if (n.type === 'poster' || (n.type === 'task' && mode !== 'ready')) setRev((r) => r + 1);
    },
    [id, mode],
  );
  useEffect(() => {
    if (mode !== 'pending' || tries.current >= PENDING_RETRIES) return;
    // Asked again a while later, in case the notification was missed.
    const timer = setTimeout(() => {
      tries.current++;
      setRev((r) => r + 1);
    }, PENDING_RETRY_MS);
    return () => clearTimeout(timer);
  }, [mode, rev]);

  // The poster on show stays until a newer one has loaded: a video
  // registered later (the final one after a scene's) makes a new poster,
  // and its pending answer must not blank the one shown.
  const src = `${api.posterUrl(id)}${rev ? `?r=${rev}` : ''}`;
  const [shown, setShown] = useState<string | undefined>(() => (posterMode.get(id) === 'ready' ? api.posterUrl(id) : undefined));
  return (
    <div
      class={`thumb st-${task.status}${mode === 'ready' || mode === 'capture' ? '' : ' blank'}`}
      data-poster={mode}
      onMouseEnter={() => setScrub(0)}
      onMouseMove={(e) => {
        const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
        setScrub(Math.min(1, Math.max(0, (e.clientX - r.left) / Math.max(1, r.width))));
      }}
      onMouseLeave={() => setScrub(null)}
    >
      {shown && mode === 'ready' && <img key={shown} src={shown} alt="" decoding="async" draggable={false} />}
      {started.current && mode !== 'capture' && src !== shown && (
        <img
          key={src}
          src={src}
          alt=""
          decoding="async"
          draggable={false}
          class="probe"
          onLoad={(e) => {
            // The pending answer is a 1×1 image.
            if ((e.currentTarget as HTMLImageElement).naturalWidth > 1) {
              posterMode.set(id, 'ready');
              setShown(src);
              setMode('ready');
            } else {
              setMode((m) => (m === 'ready' ? m : 'pending'));
            }
          }}
          onError={() => {
            if (shown) return;
            posterMode.set(id, 'capture');
            setMode('capture');
          }}
        />
      )}
      {mode === 'capture' && <CapturedFrame taskId={id} />}
      {scrub !== null && (mode === 'ready' || mode === 'capture') && <Scrubber taskId={id} at={scrub} />}
    </div>
  );
}

/**
 * A frame taken from the task's video here, for servers that cannot make
 * posters: drawn to a canvas once and kept as an image; where the video's
 * origin forbids reading its pixels (the window's media server), the paused
 * <video> itself shows the frame.
 */
function CapturedFrame({ taskId }: { taskId: string }) {
  const [videoId, setVideoId] = useState<number | null | undefined>(() => finalVideo.get(taskId));
  const [image, setImage] = useState(() => captured.get(taskId));
  useEffect(() => {
    if (videoId !== undefined || image) return;
    let live = true;
    findFinalVideo(taskId).then((v) => live && setVideoId(v));
    return () => {
      live = false;
    };
  }, [taskId, videoId, image]);
  if (image) return <img src={image} alt="" data-captured="true" />;
  if (!videoId) return null;
  return (
    <video
      src={`${api.mediaUrl(videoId)}#t=0.5`}
      preload="metadata"
      muted
      playsInline
      tabIndex={-1}
      crossOrigin={api.transport === 'http' ? 'use-credentials' : undefined}
      onLoadedData={(e) => {
        const v = e.currentTarget as HTMLVideoElement;
        try {
          const c = document.createElement('canvas');
          c.width = 320;
          c.height = Math.round((320 * (v.videoHeight || 9)) / (v.videoWidth || 16));
          c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
          const url = c.toDataURL('image/jpeg', 0.8);
          captured.set(taskId, url);
          setImage(url);
        } catch {
          // A tainted canvas: the paused video stays as the frame.
        }
      }}
    />
  );
}

/** The task's video over its poster, at the place `at` (0–1) of its length. */
function Scrubber({ taskId, at }: { taskId: string; at: number }) {
  const [videoId, setVideoId] = useState<number | null | undefined>(() => finalVideo.get(taskId));
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (videoId !== undefined) return;
    let live = true;
    findFinalVideo(taskId).then((v) => live && setVideoId(v));
    return () => {
      live = false;
    };
  }, [taskId, videoId]);
  useEffect(() => {
    const v = ref.current;
    if (v && Number.isFinite(v.duration) && v.duration > 0) v.currentTime = at * v.duration;
  }, [at, videoId]);
  if (!videoId) return null;
  return (
    <video
      ref={ref}
      class="scrub"
      src={api.mediaUrl(videoId)}
      preload="auto"
      muted
      playsInline
      tabIndex={-1}
      aria-label={t('poster.scrub')}
      data-scrub={videoId}
      onLoadedMetadata={(e) => {
        const v = e.currentTarget as HTMLVideoElement;
        if (Number.isFinite(v.duration)) v.currentTime = at * v.duration;
      }}
    />
  );
}
