import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { Icon } from './Icon';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // Plain-HTTP pages have no clipboard API; fall back to a selection copy.
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.append(ta);
  ta.select();
  document.execCommand('copy');
  ta.remove();
}

/** Copies text to the clipboard and says so for a moment. */
export function CopyButton({ text, label = t('common.copy') }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="btn small"
      onClick={async () => {
        await copyText(text);
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      <Icon name={done ? 'check' : 'copy'} />
      {done ? t('common.copied') : label}
    </button>
  );
}
