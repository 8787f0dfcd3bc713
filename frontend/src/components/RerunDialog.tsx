import { useEffect, useRef, useState } from 'preact/hooks';
import type { ScriptInput, Task } from '../api';
import { routeHash } from '../lib/route';
import { MAX_SCENES, addScene, removeScene, scenesReady } from '../lib/scenes';
import { api } from '../state';
import { ErrorNotice } from './ErrorNotice';
import { t } from '../i18n';

/** The origin's scene scripts as editable input. */
function scriptsOf(task: Task): ScriptInput[] {
  return (task.scripts ?? []).map((s) => ({
    scene_number: s.scene_number,
    description: s.description,
    duration: s.duration,
    camera_movement: s.camera_movement,
    lighting: s.lighting,
  }));
}

/** One scene script's fields, with a button that removes the scene (disabled when it may not go). */
function SceneFields({ script, onChange, onRemove, fresh }: {
  script: ScriptInput;
  onChange: (s: ScriptInput) => void;
  /** Removes the scene; absent when the task must keep it. */
  onRemove?: () => void;
  /** Just added: its description takes the focus. */
  fresh?: boolean;
}) {
  const text = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <fieldset class="rerun-scene" data-scene={script.scene_number}>
      <legend>
        {t('scene.title', { n: String(script.scene_number) })}
        <button type="button" class="btn ghost small rerun-remove" disabled={!onRemove} onClick={onRemove}
          aria-label={t('rerun.removeScene', { n: script.scene_number })} title={onRemove ? t('rerun.removeScene', { n: script.scene_number }) : t('rerun.lastScene')}>
          ×
        </button>
      </legend>
      <textarea class="input" rows={2} aria-label={t('rerun.description', { n: script.scene_number })} value={script.description}
        autoFocus={fresh} placeholder={fresh ? t('rerun.newScene') : undefined}
        onInput={(e) => onChange({ ...script, description: text(e) })} />
      <div class="row" style={{ gap: '6px' }}>
        <label class="row" style={{ gap: '4px', flexWrap: 'nowrap' }}>
          <span class="faint">{t('rerun.seconds')}</span>
          <input class="input num" type="number" min={0.1} step={0.1} style={{ width: '72px' }}
            value={script.duration} onInput={(e) => onChange({ ...script, duration: Number(text(e)) })} />
        </label>
        <input class="input" style={{ flex: 1 }} placeholder={t('scene.camera')} aria-label={t('scene.camera')} value={script.camera_movement ?? ''}
          onInput={(e) => onChange({ ...script, camera_movement: text(e) || undefined })} />
        <input class="input" style={{ flex: 1 }} placeholder={t('scene.lighting')} aria-label={t('scene.lighting')} value={script.lighting ?? ''}
          onInput={(e) => onChange({ ...script, lighting: text(e) || undefined })} />
      </div>
    </fieldset>
  );
}

/**
 * "Run again": the finished task's prompt and scene scripts, editable; what
 * changed goes with the new task, which then opens.
 */
export function RerunDialog({ task, onClose }: { task: Task; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [prompt, setPrompt] = useState(task.prompt);
  const [scripts, setScripts] = useState(() => scriptsOf(task));
  const [added, setAdded] = useState(0);
  // A task that had scenes keeps at least one; one without may stay without.
  const minScenes = (task.scripts?.length ?? 0) > 0 ? 1 : 0;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => ref.current?.showModal(), []);

  const submit = () => {
    setBusy(true);
    const changedScripts = JSON.stringify(scripts) !== JSON.stringify(scriptsOf(task));
    api
      .rerunTask(task.task_id, {
        ...(prompt !== task.prompt ? { prompt } : {}),
        ...(changedScripts ? { scripts } : {}),
      })
      .then((next) => {
        onClose();
        location.hash = routeHash({ screen: 'task', taskId: next.task_id });
      }, (e) => {
        setError(e);
        setBusy(false);
      });
  };
  return (
    <dialog ref={ref} class="rerun-dialog" aria-label={t('rerun.title')} onCancel={(e) => (e.preventDefault(), onClose())}>
      <form onSubmit={(e) => (e.preventDefault(), submit())} class="stack">
        <h1 style={{ fontSize: '17px' }}>{t('rerun.title')}</h1>
        <p class="muted" style={{ margin: 0 }}>{t('rerun.body')}</p>
        <label class="stack" style={{ gap: '4px' }}>
          <span class="faint">{t('rerun.prompt')}</span>
          <textarea class="input" rows={3} value={prompt} data-testid="rerun-prompt" onInput={(e) => setPrompt((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
        {scripts.map((s, i) => (
          <SceneFields key={s.scene_number} script={s} fresh={added > 0 && i === scripts.length - 1}
            onChange={(next) => setScripts((all) => all.map((x, j) => (j === i ? next : x)))}
            onRemove={scripts.length > minScenes ? () => setScripts((all) => removeScene(all, i, minScenes)) : undefined} />
        ))}
        <div class="row">
          <button type="button" class="btn small" data-testid="rerun-add-scene" disabled={scripts.length >= MAX_SCENES}
            onClick={() => { setScripts(addScene); setAdded((n) => n + 1); }}>
            + {t('rerun.addScene')}
          </button>
        </div>
        {error !== undefined && <ErrorNotice error={error} />}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn primary" disabled={busy || !prompt.trim() || !scenesReady(scripts)}>
            {t('rerun.create')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
