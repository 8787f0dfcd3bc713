import { useState } from 'preact/hooks';
import type { TagCount } from '../api';
import { Icon } from './Icon';
import { t } from '../i18n';

/** A task's tags as small chips (the list rows). */
export function TagChips({ tags }: { tags?: string[] }) {
  if (!tags?.length) return null;
  return (
    <span class="tag-chips">
      {tags.map((tag) => (
        <span key={tag} class="tag-chip" data-tag={tag}>
          {tag}
        </span>
      ))}
    </span>
  );
}

/** Splits typed text into tags: commas (either width) separate them; blanks are dropped. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[,，]/).map((s) => s.trim()).filter(Boolean))];
}

/**
 * A task's tags with a remove button each and a box to add more (Enter or
 * the button; the tags in use are offered). onChange gets what to add and to
 * remove.
 */
export function TagEditor({ tags, known, onChange }: { tags: string[]; known: TagCount[]; onChange: (add: string[], remove: string[]) => void }) {
  const [text, setText] = useState('');
  const add = () => {
    const next = parseTags(text);
    if (next.length) onChange(next, []);
    setText('');
  };
  return (
    <div class="tag-editor" data-testid="tag-editor">
      {tags.map((tag) => (
        <span key={tag} class="tag-chip" data-tag={tag}>
          {tag}
          <button type="button" aria-label={t('lib.removeTag', { tag })} title={t('lib.removeTag', { tag })} onClick={() => onChange([], [tag])}>
            <Icon name="close" />
          </button>
        </span>
      ))}
      <form class="row" style={{ gap: '6px' }} onSubmit={(e) => (e.preventDefault(), add())}>
        <input
          class="input"
          list="known-tags"
          placeholder={t('lib.addTag')}
          aria-label={t('lib.addTag')}
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        />
        <datalist id="known-tags">
          {known.filter((k) => !tags.includes(k.tag)).map((k) => (
            <option key={k.tag} value={k.tag} />
          ))}
        </datalist>
        <button type="submit" class="btn small" disabled={!text.trim()}>
          {t('lib.add')}
        </button>
      </form>
    </div>
  );
}
