import { useState } from 'preact/hooks';
import { toApiError, type Collection } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { Icon } from '../components/Icon';
import { TaskThumb } from '../components/TaskThumb';
import { showToast } from '../components/Toast';
import { formatCount } from '../lib/format';
import { collectionHash } from '../lib/route';
import { useAsync } from '../lib/useAsync';
import { api, useNotifications } from '../state';
import { t } from '../i18n';

/** A collection's cover: its cover task's poster, or a blank frame. */
function Cover({ taskId }: { taskId?: string }) {
  const task = useAsync(() => (taskId ? api.getTask(taskId) : Promise.resolve(undefined)), [taskId]);
  return task.data ? <TaskThumb task={task.data} idle /> : <div class="thumb blank" />;
}

/** One collection: cover, name, count; opens as the history filtered by it; renames and deletes. */
function CollectionCard({ c, onChanged }: { c: Collection; onChanged: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(c.name);
  const [deleting, setDeleting] = useState(false);
  const fail = (e: unknown) => showToast(toApiError(e).message);
  const rename = () =>
    api.renameCollection(c.name, name.trim()).then(() => {
      setRenaming(false);
      onChanged();
    }, fail);
  return (
    <div class="coll-card" data-collection={c.name}>
      <a href={collectionHash(c.name)} class="coll-open" aria-label={t('coll.open', { name: c.name })}>
        <Cover taskId={c.cover_task_id} />
      </a>
      {renaming ? (
        <form class="row" style={{ gap: '6px' }} onSubmit={(e) => (e.preventDefault(), name.trim() && rename())}>
          <input class="input" style={{ flex: 1 }} value={name} autoFocus aria-label={t('coll.newName')} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn small primary" disabled={!name.trim()}>{t('coll.save')}</button>
          <button type="button" class="btn small" onClick={() => setRenaming(false)}>{t('common.cancel')}</button>
        </form>
      ) : (
        <div class="row" style={{ gap: '6px', flexWrap: 'nowrap' }}>
          <a href={collectionHash(c.name)} class="coll-name" title={c.name}>{c.name}</a>
          <span class="faint num" data-testid="coll-count">{t('history.count', { n: formatCount(c.count) })}</span>
          <div style={{ flex: 1 }} />
          <button type="button" class="btn ghost small" onClick={() => (setName(c.name), setRenaming(true))}>{t('coll.rename')}</button>
          <button type="button" class="btn ghost small" aria-label={t('coll.delete', { name: c.name })} title={t('coll.delete', { name: c.name })} onClick={() => setDeleting(true)}>
            <Icon name="trash" />
          </button>
        </div>
      )}
      {deleting && (
        <ConfirmDialog title={t('coll.delete', { name: c.name })} confirmLabel={t('coll.deleteConfirm')} onCancel={() => setDeleting(false)}
          onConfirm={() => api.deleteCollection(c.name).then(() => (setDeleting(false), onChanged()), fail)}>
          <p class="muted">{t('coll.deleteBody', { n: c.count })}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The collections: cover, name and count of each; create, rename, delete, open. */
export function CollectionsScreen() {
  const list = useAsync(() => api.listCollections(), []);
  const [name, setName] = useState('');
  useNotifications((n) => {
    if (n.type === 'collection' || n.type === 'library' || n.type === 'trash' || n.type === 'resync' || n.type === 'restore') list.reload();
  }, []);
  const create = () =>
    api.createCollection(name.trim()).then(() => {
      setName('');
      list.reload();
    }, (e) => showToast(toApiError(e).message));
  const items = list.data ?? [];
  return (
    <section class="screen" aria-label={t('coll.title')} data-screen="collections">
      <div class="screen-head">
        <h1>{t('coll.title')}</h1>
        <div class="spacer" />
        <form class="row" style={{ gap: '6px' }} onSubmit={(e) => (e.preventDefault(), name.trim() && create())}>
          <input class="input" value={name} placeholder={t('coll.newPlaceholder')} aria-label={t('coll.newPlaceholder')} data-testid="new-collection"
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn primary" disabled={!name.trim()}>{t('coll.create')}</button>
        </form>
      </div>
      {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {!list.loading && !items.length && list.error === undefined ? (
        <div class="empty" data-empty="collections">
          <h3>{t('coll.none')}</h3>
          <p class="muted">{t('coll.noneHint')}</p>
        </div>
      ) : (
        <div class="coll-grid">
          {items.map((c) => (
            <CollectionCard key={c.id} c={c} onChanged={list.reload} />
          ))}
        </div>
      )}
    </section>
  );
}
