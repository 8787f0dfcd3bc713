import { Icon } from './Icon';
import { t } from '../i18n';

/**
 * The bulk bar's rating picker: five stars that rate every picked task 1–5
 * (hovering a star lights it and those before it), a button that clears
 * their ratings, and Cancel.
 */
export function BulkRate({ busy, onRate, onCancel }: { busy: boolean; onRate: (rating: number) => void; onCancel: () => void }) {
  return (
    <div class="row bulk-ask" role="group" aria-label={t('bulk.rateLabel')} data-testid="bulk-rate">
      <span class="rating bulk-rating">
        {[1, 2, 3, 4, 5].map((n) => (
          <button key={n} type="button" disabled={busy} aria-label={t('bulk.rateN', { n })} title={t('bulk.rateN', { n })} data-rate={n}
            onClick={() => onRate(n)}>
            <Icon name="star" />
          </button>
        ))}
      </span>
      <button type="button" class="btn small" disabled={busy} onClick={() => onRate(0)}>{t('bulk.clearRating')}</button>
      <button type="button" class="btn small" onClick={onCancel}>{t('common.cancel')}</button>
    </div>
  );
}
