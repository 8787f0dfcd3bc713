/** A thin bar filled to value percent, coloured by status when given. */
export function ProgressBar({ value, status, big, label }: { value: number; status?: string; big?: boolean; label?: string }) {
  const v = Math.max(0, Math.min(100, value));
  return (
    <div
      class={`progress${big ? ' big' : ''}${status ? ` st-${status}` : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(v)}
      aria-label={label}
    >
      <div style={{ width: `${v}%` }} />
    </div>
  );
}
