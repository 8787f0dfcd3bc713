import type { Status } from '../api';

/** Human names of the statuses. */
export const STATUS_LABEL: Record<Status, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A coloured dot and the status name. */
export function StatusBadge({ status }: { status: Status }) {
  return (
    <span class={`badge st-${status}`} data-status={status}>
      <span class="dot" />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}
