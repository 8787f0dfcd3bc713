import { useState } from 'preact/hooks';
import { toApiError } from '../api';
import { api } from '../state';
import { ConfirmDialog } from './ConfirmDialog';
import { Icon } from './Icon';
import { showToast } from './Toast';
import { t } from '../i18n';

/**
 * Moves tasks to the trash and offers to undo it in a toast; with
 * deleteFiles their video files go to the system trash too.
 */
export async function trashWithUndo(ids: string[], deleteFiles: boolean): Promise<void> {
  const res = await api.trashTasks(ids, deleteFiles);
  const text = deleteFiles && res.files_left
    ? t('trash.movedFilesLeft', { n: res.changed, left: res.files_left })
    : t('trash.moved', { n: res.changed });
  showToast(text, {
    label: t('trash.undo'),
    run: async () => {
      const back = await api.restoreFromTrash(ids);
      showToast(t('trash.restored', { n: back.changed }));
    },
  });
}

/**
 * "Move to trash" (undoable) and "With files…" (asks first: the video
 * files go to the system trash too). ids says which tasks, when clicked.
 */
export function TrashButton({ ids, onDone, small }: { ids: () => Promise<string[]>; onDone?: () => void; small?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = (deleteFiles: boolean) => {
    setBusy(true);
    ids()
      .then((list) => trashWithUndo(list, deleteFiles))
      .then(
        () => onDone?.(),
        (e) => showToast(toApiError(e).message),
      )
      .finally(() => {
        setBusy(false);
        setAsking(false);
      });
  };
  const size = small ? ' small' : '';
  return (
    <>
      <button type="button" class={`btn danger${size}`} disabled={busy} onClick={() => run(false)} data-testid="trash">
        <Icon name="trash" /> {t('trash.move')}
      </button>
      <button type="button" class={`btn${size}`} disabled={busy} onClick={() => setAsking(true)}>
        {t('trash.withFiles')}
      </button>
      {asking && (
        <ConfirmDialog title={t('trash.withFilesTitle')} confirmLabel={t('trash.withFilesConfirm')} busy={busy} onConfirm={() => run(true)} onCancel={() => setAsking(false)}>
          <p class="muted">{t('trash.withFilesBody')}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
