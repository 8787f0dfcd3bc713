import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../api';
import { t } from '../i18n';

/** A short message at the bottom of the window, with an optional action (Undo). */
export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => Promise<unknown> };
}

/** How long a toast stays. */
const TOAST_MS = 8_000;

let next = 1;
const listeners = new Set<(t: Toast | undefined) => void>();

/** Shows a toast, replacing the one on show. */
export function showToast(text: string, action?: Toast['action']): void {
  const toast = { id: next++, text, action };
  listeners.forEach((fn) => fn(toast));
}

/** Where toasts appear: mount once, in the shell. */
export function Toaster() {
  const [toast, setToast] = useState<Toast>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    listeners.add(setToast);
    return () => void listeners.delete(setToast);
  }, []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast((cur) => (cur?.id === toast.id ? undefined : cur)), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  if (!toast) return null;
  const act = toast.action;
  return (
    <div class="toast" role="status" data-testid="toast">
      <span>{toast.text}</span>
      {act && (
        <button
          type="button"
          class="btn small"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            // The action may show a toast of its own: only this one goes.
            act.run().then(
              () => setToast((cur) => (cur?.id === toast.id ? undefined : cur)),
              (e) => showToast(toApiError(e).message),
            ).finally(() => setBusy(false));
          }}
        >
          {act.label}
        </button>
      )}
      <button type="button" class="btn ghost small" aria-label={t('common.close')} onClick={() => setToast(undefined)}>
        ×
      </button>
    </div>
  );
}
