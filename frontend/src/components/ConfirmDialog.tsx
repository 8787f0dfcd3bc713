import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

/** A modal question with a confirm and a cancel button. */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} onCancel={(e) => (e.preventDefault(), props.onCancel())} aria-label={props.title}>
      <h1 style={{ fontSize: '17px', marginBottom: '12px' }}>{props.title}</h1>
      {props.children}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={props.onCancel} disabled={props.busy}>
          {t('common.cancel')}
        </button>
        <button type="button" class="btn primary" onClick={props.onConfirm} disabled={props.busy}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
