import type { Backup } from '../api';
import { formatBytes } from '../lib/format';
import { t } from '../i18n';

/** What one backup set holds and where it is: database only, or with its videos. */
export function SetContents({ backup }: { backup: Backup }) {
  const m = backup.media;
  const skipped = m?.skipped ?? [];
  return (
    <div class="faint" data-set-contents={m ? 'media' : 'db'} style={{ fontSize: '12px' }}>
      <span>{m ? t('set.withMedia', { files: m.files, size: formatBytes(m.bytes) }) : t('set.dbOnly')}</span>
      {backup.destination && backup.destination !== 'local' && <span> · {t('set.on', { name: backup.destination })}</span>}
      {backup.encrypted && <span> · {t('set.encrypted')}</span>}
      {m && m.skipped_count > 0 && (
        <div class="diff-lose" title={skipped.map((s) => `${s.path} (${s.reason})`).join('\n')}>
          {t('set.skipped', { count: m.skipped_count })}
        </div>
      )}
    </div>
  );
}
