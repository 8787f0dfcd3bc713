import type { Status } from '../api';
import { t } from '../i18n';

/** The name of a status in the interface language. */
export function statusLabel(status: Status): string {
  return t(`status.${status}`);
}

/** A coloured dot and the status name. */
export function StatusBadge({ status }: { status: Status }) {
  return (
    <span class={`badge st-${status}`} data-status={status}>
      <span class="dot" />
      {statusLabel(status)}
    </span>
  );
}
