import type { Collection, TagCount } from '../api';
import type { HistoryFilters } from '../lib/route';
import { Icon } from './Icon';
import { t } from '../i18n';

type LibraryPart = Pick<HistoryFilters, 'starred' | 'rating' | 'tags' | 'collection'>;

/**
 * The history's library filters: starred only, a least rating, tags (all of
 * them) from those in use, and a collection.
 */
export function LibraryFilters({ filters, tags, collections, onChange }: {
  filters: LibraryPart;
  tags: TagCount[];
  collections: Collection[];
  onChange: (f: Partial<LibraryPart>) => void;
}) {
  const unused = tags.filter((x) => !filters.tags.includes(x.tag));
  // A collection named in the URL shows even before (or without) the list.
  const names = collections.map((c) => c.name);
  if (filters.collection && !names.includes(filters.collection)) names.push(filters.collection);
  return (
    <div class="lib-filters" role="group" aria-label={t('lib.filters')}>
      <button type="button" class="chip star-chip" aria-pressed={filters.starred} data-testid="filter-starred" onClick={() => onChange({ starred: !filters.starred })}>
        <Icon name="star" filled={filters.starred} />
        {t('lib.starred')}
      </button>
      <select class="input" aria-label={t('lib.minRating')} value={String(filters.rating)} data-testid="filter-rating"
        onChange={(e) => onChange({ rating: Number((e.currentTarget as HTMLSelectElement).value) })}>
        <option value="0">{t('lib.anyRating')}</option>
        {[1, 2, 3, 4, 5].map((n) => (
          <option key={n} value={String(n)}>
            {t('lib.atLeast', { n })}
          </option>
        ))}
      </select>
      <select class="input" aria-label={t('lib.tagFilter')} value="" data-testid="filter-tag" disabled={!unused.length}
        onChange={(e) => {
          const tag = (e.currentTarget as HTMLSelectElement).value;
          if (tag) onChange({ tags: [...filters.tags, tag] });
        }}>
        <option value="">{t(tags.length ? 'lib.tagFilter' : 'lib.noTags')}</option>
        {unused.map((x) => (
          <option key={x.tag} value={x.tag}>
            {t('lib.tagCount', { tag: x.tag, n: x.count })}
          </option>
        ))}
      </select>
      <select class="input" aria-label={t('lib.collection')} value={filters.collection} data-testid="filter-collection"
        onChange={(e) => onChange({ collection: (e.currentTarget as HTMLSelectElement).value })}>
        <option value="">{t('lib.allCollections')}</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {filters.tags.map((tag) => (
        <span key={tag} class="tag-chip picked" data-tag={tag}>
          {tag}
          <button type="button" aria-label={t('lib.dropTagFilter', { tag })} title={t('lib.dropTagFilter', { tag })}
            onClick={() => onChange({ tags: filters.tags.filter((x) => x !== tag) })}>
            <Icon name="close" />
          </button>
        </span>
      ))}
    </div>
  );
}
