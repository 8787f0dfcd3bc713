import { useState } from 'preact/hooks';
import { toApiError, type BulkAction, type Collection, type Selection, type TagCount } from '../api';
import { formatCount } from '../lib/format';
import { api } from '../state';
import { BulkRate } from './BulkRate';
import { ExportButton } from './ExportButton';
import { Icon } from './Icon';
import { showToast } from './Toast';
import { TrashButton } from './TrashButton';
import { t } from '../i18n';

/** The actions that ask for a name, or a rating, first. */
type Asking = 'tag' | 'untag' | 'collect' | 'rate';

const ASK_LABEL = { tag: 'bulk.tag', untag: 'bulk.untag', collect: 'bulk.collect' } as const;

/**
 * What can be done to the picked tasks: tag, untag, star, unstar, rate, add
 * to a collection (a new name creates it), trash, export. Shown while something
 * is picked; offers to pick everything the filter matches. In a
 * collection's list the picked tasks can also leave it.
 */
export function BulkBar(props: {
  count: number;
  matching?: number;
  all: boolean;
  selection: () => Selection;
  /** The picked tasks' IDs, every one (the trash and export need them). */
  ids: () => Promise<string[]>;
  tags: TagCount[];
  collections: Collection[];
  /** The collection the list shows, if any: the picked tasks can leave it. */
  collection?: string;
  onSelectAll: () => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const [asking, setAsking] = useState<Asking>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  const apply = async (action: BulkAction, name = '', rating = 0) => {
    setBusy(true);
    try {
      if (action === 'collect' && !props.collections.some((c) => c.name === name)) await api.createCollection(name);
      const res = await api.bulkTasks({
        ...props.selection(),
        action,
        ...(action === 'tag' || action === 'untag' ? { tag: name } : {}),
        ...(action === 'collect' || action === 'uncollect' ? { collection: name } : {}),
        ...(action === 'rate' ? { rating } : {}),
      });
      showToast(t('bulk.done', { n: res.changed, matched: res.matched }));
      setAsking(undefined);
      setText('');
      props.onDone();
    } catch (e) {
      showToast(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  };

  const options = asking === 'collect' ? props.collections.map((c) => c.name) : props.tags.map((x) => x.tag);
  return (
    <div class="bulk-bar" role="toolbar" aria-label={t('bulk.label')} data-testid="bulk-bar">
      <strong class="num" data-testid="picked-count">{t('bulk.picked', { n: formatCount(props.count) })}</strong>
      {!props.all && props.matching !== undefined && props.matching > props.count && (
        <button type="button" class="btn small" onClick={props.onSelectAll} data-testid="select-all">
          {t('bulk.selectAll', { n: formatCount(props.matching) })}
        </button>
      )}
      {asking === 'rate' ? (
        <BulkRate busy={busy} onRate={(n) => apply('rate', '', n)} onCancel={() => setAsking(undefined)} />
      ) : asking ? (
        <form class="row bulk-ask" onSubmit={(e) => (e.preventDefault(), text.trim() && apply(asking, text.trim()))}>
          <input class="input" list="bulk-names" autoFocus value={text} aria-label={t(asking === 'collect' ? 'bulk.collectionName' : 'bulk.tagName')}
            placeholder={t(asking === 'collect' ? 'bulk.collectionName' : 'bulk.tagName')}
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
          <datalist id="bulk-names">
            {options.map((o) => <option key={o} value={o} />)}
          </datalist>
          <button type="submit" class="btn small primary" disabled={busy || !text.trim()}>{t(ASK_LABEL[asking])}</button>
          <button type="button" class="btn small" onClick={() => setAsking(undefined)}>{t('common.cancel')}</button>
        </form>
      ) : (
        <>
          <button type="button" class="btn small" disabled={busy} onClick={() => setAsking('tag')}><Icon name="tag" /> {t('bulk.tag')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => setAsking('untag')}>{t('bulk.untag')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => apply('star')}><Icon name="star" /> {t('bulk.star')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => apply('unstar')}>{t('bulk.unstar')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => setAsking('rate')} data-testid="bulk-rate-open">{t('bulk.rate')}</button>
          <button type="button" class="btn small" disabled={busy} onClick={() => setAsking('collect')}><Icon name="folder" /> {t('bulk.collect')}</button>
          {props.collection && (
            <button type="button" class="btn small" disabled={busy} onClick={() => apply('uncollect', props.collection)}>
              {t('bulk.uncollect', { name: props.collection })}
            </button>
          )}
          <TrashButton small ids={props.ids} onDone={props.onDone} />
          <ExportButton ids={props.ids} disabled={busy} />
        </>
      )}
      <div class="spacer" />
      <button type="button" class="btn ghost small" onClick={props.onClear}>{t('bulk.clear')}</button>
    </div>
  );
}
