import { formatCount } from '../lib/format';
import { t } from '../i18n';
import { ProgressBar } from './ProgressBar';

/** How much of a quota is used, turning red near the end. */
export function QuotaBar({ used, quota }: { used: number; quota: number }) {
  const ratio = quota > 0 ? used / quota : 1;
  const status = ratio >= 1 ? 'failed' : ratio >= 0.8 ? 'cancelled' : 'completed';
  return (
    <div class="quota" title={t('quota.title', { used, quota })}>
      <ProgressBar value={ratio * 100} status={status} label={t('quota.label')} />
      <span class="num muted">
        {formatCount(used)} / {formatCount(quota)}
      </span>
    </div>
  );
}
