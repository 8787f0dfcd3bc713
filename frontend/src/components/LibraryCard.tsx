import { toApiError, type Task } from '../api';
import { collectionHash } from '../lib/route';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { Icon } from './Icon';
import { Rating, StarButton } from './Stars';
import { TagEditor } from './Tags';
import { showToast } from './Toast';
import { t } from '../i18n';

const fail = (e: unknown) => showToast(toApiError(e).message);

/** The collections a task is in: open one, make the task its cover, take it out, or add it to another. */
function TaskCollections({ task, onChanged }: { task: Task; onChanged: () => void }) {
  const all = useAsync(() => api.listCollections(), [task.collections?.join('\n')]);
  const mine = task.collections ?? [];
  const others = (all.data ?? []).filter((c) => !mine.includes(c.name));
  const id = task.task_id;
  return (
    <div class="tag-editor" data-testid="task-collections">
      {mine.length === 0 && <span class="faint">{t('lib.inNoCollection')}</span>}
      {mine.map((name) => (
        <span key={name} class="tag-chip coll" data-collection={name}>
          <a href={collectionHash(name)}>{name}</a>
          <button type="button" aria-label={t('lib.makeCover', { name })} title={t('lib.makeCover', { name })}
            onClick={() => api.setCollectionCover(name, id).then(() => showToast(t('lib.coverSet', { name })), fail)}>
            <Icon name="image" />
          </button>
          <button type="button" aria-label={t('lib.takeOut', { name })} title={t('lib.takeOut', { name })}
            onClick={() => api.removeFromCollection(name, [id]).then(onChanged, fail)}>
            <Icon name="close" />
          </button>
        </span>
      ))}
      {others.length > 0 && (
        <select class="input" value="" aria-label={t('lib.addToCollection')}
          onChange={(e) => {
            const name = (e.currentTarget as HTMLSelectElement).value;
            if (name) api.addToCollection(name, [id]).then(onChanged, fail);
          }}>
          <option value="">{t('lib.addToCollection')}</option>
          {others.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

/** A task's place in the library: its star, rating, tags and collections. */
export function LibraryCard({ task, onChanged }: { task: Task; onChanged: () => void }) {
  const known = useAsync(() => api.listTags(), [task.tags?.join('\n')]);
  const change = (p: Promise<Task>) => p.then(onChanged, fail);
  return (
    <div class="card stack" data-testid="library-card">
      <h2>{t('lib.title')}</h2>
      <div class="row">
        <StarButton starred={task.starred} onToggle={(on) => change(api.setStar(task.task_id, on))} />
        <Rating value={task.rating ?? 0} onRate={(n) => change(api.setRating(task.task_id, n))} />
      </div>
      <div>
        <div class="faint lib-label">{t('lib.tags')}</div>
        <TagEditor tags={task.tags ?? []} known={known.data ?? []} onChange={(add, remove) => change(api.tagTask(task.task_id, add, remove))} />
      </div>
      <div>
        <div class="faint lib-label">{t('lib.collections')}</div>
        <TaskCollections task={task} onChanged={onChanged} />
      </div>
    </div>
  );
}
