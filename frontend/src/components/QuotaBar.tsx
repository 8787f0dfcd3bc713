import { formatCount } from '../lib/format';
import { ProgressBar } from './ProgressBar';

/** How much of a quota is used, turning red near the end. */
export function QuotaBar({ used, quota }: { used: number; quota: number }) {
  const ratio = quota > 0 ? used / quota : 1;
  const status = ratio >= 1 ? 'failed' : ratio >= 0.8 ? 'cancelled' : 'completed';
  return (
    <div class="quota" title={`${used} of ${quota} used`}>
      <ProgressBar value={ratio * 100} status={status} label="quota used" />
      <span class="num muted">
        {formatCount(used)} / {formatCount(quota)}
      </span>
    </div>
  );
}
