import { toApiError, type Task } from '../api';
import { collectionHash } from '../lib/route';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { Rating, StarButton } from './Stars';
import { TagEditor } from './Tags';
import { showToast } from './Toast';
import { t } from '../i18n';

/** A task's place in the library: its star, rating, tags and collections. */
export function LibraryCard({ task, onChanged }: { task: Task; onChanged: () => void }) {
  const known = useAsync(() => api.listTags(), [task.tags?.join('\n')]);
  const change = (p: Promise<Task>) => p.then(onChanged, (e) => showToast(toApiError(e).message));
  return (
    <div class="card stack" data-testid="library-card">
      <h2>{t('lib.title')}</h2>
      <div class="row">
        <StarButton starred={task.starred} onToggle={(on) => change(api.setStar(task.task_id, on))} />
        <Rating value={task.rating ?? 0} onRate={(n) => change(api.setRating(task.task_id, n))} />
      </div>
      <div>
        <div class="faint" style={{ fontSize: '12px', marginBottom: '4px' }}>{t('lib.tags')}</div>
        <TagEditor tags={task.tags ?? []} known={known.data ?? []} onChange={(add, remove) => change(api.tagTask(task.task_id, add, remove))} />
      </div>
      <div>
        <div class="faint" style={{ fontSize: '12px', marginBottom: '4px' }}>{t('lib.collections')}</div>
        {task.collections?.length ? (
          <div class="tag-chips">
            {task.collections.map((c) => (
              <a key={c} class="tag-chip coll" href={collectionHash(c)}>
                {c}
              </a>
            ))}
          </div>
        ) : (
          <span class="faint">{t('lib.inNoCollection')}</span>
        )}
      </div>
    </div>
  );
}
