import type { Video } from '../api';
import { t } from '../i18n';

/** A claimed fact as text: "1920×1080", "12.0 s", "30 fps". */
function claimText(v: Video): string {
  const c = v.claimed ?? {};
  const parts: string[] = [];
  if (c.width || c.height) parts.push(`${c.width ?? '?'}×${c.height ?? '?'}`);
  if (c.duration !== undefined) parts.push(t('unit.s', { n: Number(c.duration.toFixed(1)) }));
  if (c.fps !== undefined) parts.push(t('unit.fps', { n: Number(c.fps.toFixed(2)) }));
  return parts.join(', ');
}

/**
 * Whether a video's facts were read from its file and agree with what the
 * client claimed: a warning naming the claim when they do not.
 */
export function FactsFlag({ video }: { video: Video }) {
  if (video.mismatch?.length) {
    return (
      <span class="flag warn" data-mismatch={video.mismatch.join(',')} title={t('facts.mismatchHint')}>
        {t('facts.mismatch', { claim: claimText(video) })}
      </span>
    );
  }
  if (!video.probed_at) return null;
  if (video.probe_error) return <span class="flag" title={video.probe_error}>{t('facts.unread')}</span>;
  return (
    <span class="flag ok" data-checked="true" title={video.content_hash ? `SHA-256 ${video.content_hash}` : undefined}>
      {t('facts.checked')}
    </span>
  );
}
