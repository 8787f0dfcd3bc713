import type { Video } from '../api';
import { formatBytes, formatClock } from '../lib/format';
import { api } from '../state';
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
      <dt>{t('video.file')}</dt>
      <dd class="mono" title={video.file_path}>
        {video.file_path}
      </dd>
    </dl>
  );
}

/** A playable, seekable video; a clear mark instead when its file has gone. */
export function VideoPlayer({ video, label, onMedia }: { video: Video; label: string; onMedia?: (m: MediaFacts) => void }) {
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
      onLoadedMetadata={(e) => {
        const v = e.currentTarget as HTMLVideoElement;
        if (Number.isFinite(v.duration)) onMedia?.({ width: v.videoWidth, height: v.videoHeight, duration: v.duration });
      }}
    />
  );
}
