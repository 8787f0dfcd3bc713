import { useState } from 'preact/hooks';
import { toApiError, type Video } from '../api';
import { formatBytes, formatClock } from '../lib/format';
import { api } from '../state';
import { FactsFlag } from './FactsFlag';
import { t } from '../i18n';

/** What the browser read from a video file's header, for files registered without facts. */
export interface MediaFacts {
  width: number;
  height: number;
  duration: number;
}

/** Size, resolution, frame rate and length of a video file; the file's own header fills gaps. */
export function FileFacts({ video, media }: { video: Video; media?: MediaFacts }) {
  const width = video.width ?? media?.width;
  const height = video.height ?? media?.height;
  const res = width && height ? `${width}×${height}` : '—';
  return (
    <dl class="facts">
      <dt>{t('video.size')}</dt>
      <dd class="num">{formatBytes(video.file_size)}</dd>
      <dt>{t('video.resolution')}</dt>
      <dd class="num">{res}</dd>
      <dt>{t('video.fps')}</dt>
      <dd class="num">{video.fps ? t('unit.fps', { n: Number(video.fps.toFixed(2)) }) : '—'}</dd>
      <dt>{t('video.length')}</dt>
      <dd class="num">{formatClock(video.duration ?? media?.duration)}</dd>
      <dt>{t('video.codec')}</dt>
      <dd class="mono">
        {video.codec || '—'} <FactsFlag video={video} />
      </dd>
      <dt>{t('video.file')}</dt>
      <dd class="mono" title={video.file_path}>
        {video.file_path}
      </dd>
    </dl>
  );
}

/** Why a <video> element gave up, in words (its MediaError code). */
export function playbackProblem(code: number | undefined): string {
  switch (code) {
    case 2:
      return t('video.readError');
    case 3:
      return t('video.decodeError');
    case 4:
      return t('video.unsupported');
    default:
      return t('video.cannotPlay');
  }
}

/**
 * Shown instead of a video the player gave up on: why, and what to do. In
 * the desktop window the file opens in the system's own player or file
 * manager; a browser may be on another machine than the file, so it offers
 * the download instead.
 */
function CannotPlay({ video, label, code }: { video: Video; label: string; code?: number }) {
  const [error, setError] = useState('');
  const act = (fn?: (id: number) => Promise<void>) => () => fn?.(video.id).then(() => setError(''), (e) => setError(toApiError(e).message));
  return (
    <div class="missing" data-cannot-play={code ?? 0} role="group" aria-label={t('video.cannotPlayLabel', { label })}>
      <div>
        <strong>{playbackProblem(code)}</strong>
        <div class="row" style={{ justifyContent: 'center', marginTop: '8px', gap: '8px' }}>
          {api.openVideo ? (
            <>
              <button type="button" class="btn small" onClick={act(api.openVideo)}>
                {t('video.openInPlayer')}
              </button>
              <button type="button" class="btn small" onClick={act(api.showVideo)}>
                {t('video.showInFolder')}
              </button>
            </>
          ) : (
            <a class="btn small" href={api.mediaUrl(video.id)} download>
              {t('video.download')}
            </a>
          )}
        </div>
        {error && <div style={{ marginTop: '6px', fontSize: '12px' }}>{error}</div>}
      </div>
    </div>
  );
}

/** A playable, seekable video; a clear mark instead when its file has gone or cannot play here. */
export function VideoPlayer({ video, label, onMedia }: { video: Video; label: string; onMedia?: (m: MediaFacts) => void }) {
  const [failed, setFailed] = useState<{ id: number; code?: number }>();
  if (failed?.id === video.id) return <CannotPlay video={video} label={label} code={failed.code} />;
  if (video.missing) {
    return (
      <div class="missing" data-missing="true" role="img" aria-label={t('video.missingLabel', { label })}>
        <div>
          <strong>{t('video.missing')}</strong>
          <div class="mono" style={{ fontSize: '11px', marginTop: '4px', wordBreak: 'break-all' }}>
            {video.file_path}
          </div>
        </div>
      </div>
    );
  }
  return (
    <video
      class="player"
      src={api.mediaUrl(video.id)}
      controls
      preload="metadata"
      aria-label={label}
      data-video-id={video.id}
      onError={(e) => setFailed({ id: video.id, code: (e.currentTarget as HTMLVideoElement).error?.code })}
      onLoadedMetadata={(e) => {
        const v = e.currentTarget as HTMLVideoElement;
        if (Number.isFinite(v.duration)) onMedia?.({ width: v.videoWidth, height: v.videoHeight, duration: v.duration });
      }}
    />
  );
}
