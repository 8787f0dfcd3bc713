import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api } from '../state';
import { CopyButton } from './CopyButton';
import { ErrorNotice } from './ErrorNotice';

/** Where the data lives, with a button to show it in the file manager (window only). */
export function DataFolder({ path }: { path: string }) {
  const [error, setError] = useState<unknown>();
  const open = api.openDataFolder;
  return (
    <div class="stack" data-testid="data-folder">
      <div class="codeline">
        <code>{path}</code>
        <CopyButton text={path} />
        {open && (
          <button type="button" class="btn small" onClick={() => open().then(() => setError(undefined), setError)}>
            {t('about.openFolder')}
          </button>
        )}
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}
