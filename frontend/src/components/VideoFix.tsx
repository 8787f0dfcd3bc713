import { useEffect, useRef, useState } from 'preact/hooks';
import type { Video } from '../api';
import { api } from '../state';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import { showToast } from './Toast';
import { t } from '../i18n';

/**
 * Asks for the new file of a scene's video: its path on the machine the
 * server runs on (the desktop window also offers the system's file
 * dialog), then replaces the video; the file's facts are probed anew.
 */
export function ReplaceVideoDialog({ taskId, video, label, onClose, onDone }: {
  taskId: string;
  video: Video;
  label: string;
  onClose: () => void;
  onDone: (v: Video) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => ref.current?.showModal(), []);

  const choose = () => {
    setError(undefined);
    api.chooseVideoFile?.().then((p) => p && setPath(p), setError);
  };
  const submit = () => {
    setBusy(true);
    setError(undefined);
    api.replaceVideo(taskId, video.scene_number, { file_path: path.trim() }).then(onDone, (e) => {
      setError(e);
      setBusy(false);
    });
  };
  return (
    <dialog ref={ref} class="video-fix-dialog" aria-label={t('videoFix.replaceTitle', { label })} onCancel={(e) => (e.preventDefault(), onClose())}>
      <form class="stack" onSubmit={(e) => (e.preventDefault(), submit())}>
        <h1 style={{ fontSize: '17px' }}>{t('videoFix.replaceTitle', { label })}</h1>
        <p class="muted" style={{ margin: 0 }}>{t('videoFix.replaceBody')}</p>
        <div class="faint mono" style={{ overflowWrap: 'anywhere' }} data-testid="replace-current">{video.file_path}</div>
        <label class="stack" style={{ gap: '4px' }}>
          <span class="faint">{t('videoFix.path')}</span>
          <div class="row" style={{ flexWrap: 'nowrap' }}>
            <input class="input mono" style={{ flex: 1, minWidth: 0 }} value={path} data-testid="replace-path" placeholder="/mnt/footage/scene-1.mp4"
              onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} />
            {api.chooseVideoFile && (
              <button type="button" class="btn" onClick={choose} disabled={busy}>{t('videoFix.choose')}</button>
            )}
          </div>
        </label>
        {error !== undefined && <ErrorNotice error={error} />}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose} disabled={busy}>{t('common.cancel')}</button>
          <button type="submit" class="btn primary" disabled={busy || !path.trim()} data-testid="replace-confirm">{t('videoFix.replaceConfirm')}</button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * "Replace…" and "Remove" for a scene's video (or the final video). After
 * either the task reloads through onDone; a failure shows as an
 * ErrorNotice (in the dialog while it is open, else under the buttons).
 */
export function VideoFixActions({ taskId, video, label, onDone }: { taskId: string; video: Video; label: string; onDone: () => void }) {
  const [open, setOpen] = useState<'replace' | 'remove'>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const remove = () => {
    setBusy(true);
    setError(undefined);
    api
      .removeVideo(taskId, video.scene_number)
      .then(() => {
        setOpen(undefined);
        showToast(t('videoFix.removed', { label }));
        onDone();
      }, (e) => {
        setOpen(undefined);
        setError(e);
      })
      .finally(() => setBusy(false));
  };
  return (
    <div class="video-fix stack" style={{ gap: '6px', marginTop: '8px' }} data-video-fix={video.scene_number}>
      <div class="row" style={{ gap: '6px' }}>
        <button type="button" class="btn small" onClick={() => (setError(undefined), setOpen('replace'))} data-testid="replace-video">
          {t('videoFix.replace')}
        </button>
        <button type="button" class="btn small" onClick={() => (setError(undefined), setOpen('remove'))} data-testid="remove-video">
          {t('videoFix.remove')}
        </button>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {open === 'replace' && (
        <ReplaceVideoDialog taskId={taskId} video={video} label={label} onClose={() => setOpen(undefined)}
          onDone={(v) => {
            setOpen(undefined);
            // The owner may name a file that is not there (yet): it is
            // registered as missing, which is worth saying out loud.
            showToast(v.missing ? t('videoFix.replacedMissing', { label, path: v.file_path }) : t('videoFix.replaced', { label }));
            onDone();
          }} />
      )}
      {open === 'remove' && (
        <ConfirmDialog title={t('videoFix.removeTitle', { label })} confirmLabel={t('videoFix.removeConfirm')} busy={busy}
          onConfirm={remove} onCancel={() => setOpen(undefined)}>
          <p class="muted">{t('videoFix.removeBody')}</p>
          <div class="faint mono" style={{ overflowWrap: 'anywhere' }}>{video.file_path}</div>
        </ConfirmDialog>
      )}
    </div>
  );
}
