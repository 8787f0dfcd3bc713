import { toApiError } from '../api';

/** A failed call as a readable message, with a retry when one makes sense. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = toApiError(error);
  return (
    <div class="error-box" role="alert" data-code={e.code}>
      <div style={{ flex: 1 }}>
        <div class="code">{e.code.replace('_', ' ')}</div>
        <div>{e.message}</div>
      </div>
      {onRetry && (
        <button type="button" class="btn small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
