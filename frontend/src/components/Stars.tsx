import { Icon } from './Icon';
import { t } from '../i18n';

/** The star of a task: pressed when starred; clicking it flips it. */
export function StarButton({ starred, onToggle }: { starred: boolean; onToggle: (starred: boolean) => void }) {
  return (
    <button
      type="button"
      class={starred ? 'star-btn on' : 'star-btn'}
      aria-pressed={starred}
      aria-label={t(starred ? 'lib.unstar' : 'lib.star')}
      title={t(starred ? 'lib.unstar' : 'lib.star')}
      data-testid="star"
      onClick={(e) => {
        e.stopPropagation();
        onToggle(!starred);
      }}
    >
      <Icon name="star" filled={starred} />
    </button>
  );
}

/** A 1–5 rating as five small stars; clicking the current rating clears it. */
export function Rating({ value, onRate }: { value: number; onRate: (rating: number) => void }) {
  return (
    <span class="rating" role="group" aria-label={t('lib.rating')} data-rating={value}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          class={n <= value ? 'on' : ''}
          aria-pressed={n === value}
          aria-label={t('lib.rateN', { n })}
          title={t(n === value ? 'lib.clearRating' : 'lib.rateN', { n })}
          onClick={(e) => {
            e.stopPropagation();
            onRate(n === value ? 0 : n);
          }}
        >
          <Icon name="star" filled={n <= value} />
        </button>
      ))}
    </span>
  );
}
