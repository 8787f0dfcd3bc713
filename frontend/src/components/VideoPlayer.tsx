import type { Video } from '../api';
import { formatBytes, formatClock } from '../lib/format';
import { api } from '../state';

/** Size, resolution, frame rate and length of a video file. */
export function FileFacts({ video }: { video: Video }) {
  const res = video.width && video.height ? `${video.width}×${video.height}` : '—';
  return (
    <dl class="facts">
      <dt>Size</dt>
      <dd class="num">{formatBytes(video.file_size)}</dd>
      <dt>Resolution</dt>
      <dd class="num">{res}</dd>
      <dt>Frame rate</dt>
      <dd class="num">{video.fps ? `${Number(video.fps.toFixed(2))} fps` : '—'}</dd>
      <dt>Length</dt>
      <dd class="num">{formatClock(video.duration)}</dd>
      <dt>File</dt>
      <dd class="mono" title={video.file_path}>
        {video.file_path}
      </dd>
    </dl>
  );
}

/** A playable, seekable video; a clear mark instead when its file has gone. */
export function VideoPlayer({ video, label }: { video: Video; label: string }) {
  if (video.missing) {
    return (
      <div class="missing" data-missing="true" role="img" aria-label={`${label}: file missing`}>
        <div>
          <strong>File missing</strong>
          <div class="mono" style={{ fontSize: '11px', marginTop: '4px', wordBreak: 'break-all' }}>
            {video.file_path}
          </div>
        </div>
      </div>
    );
  }
  return <video class="player" src={api.mediaUrl(video.id)} controls preload="metadata" aria-label={label} data-video-id={video.id} />;
}
