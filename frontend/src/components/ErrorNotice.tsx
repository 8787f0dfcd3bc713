import { stockDetail, toApiError } from '../api';
import { t } from '../i18n';

/**
 * A failed call as a readable message, with a retry when one makes sense: a
 * title in the user's language for the error code, and the server's own
 * sentence (English) as the detail, or a stock sentence in the language.
 */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = toApiError(error);
  const stock = stockDetail(e);
  return (
    <div class="error-box" role="alert" data-code={e.code}>
      <div style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
        <div class="code">{t(`error.${e.code}`)}</div>
        <div>{stock ? t(`errorDetail.${stock}`) : e.message}</div>
      </div>
      {onRetry && (
        <button type="button" class="btn small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
