import { useState } from 'preact/hooks';
import { toApiError } from '../api';
import { api } from '../state';
import { Icon } from './Icon';
import { showToast } from './Toast';
import { t } from '../i18n';

/**
 * Exports the picked tasks: a browser downloads the export file, the window
 * asks where to save it. ids says which tasks, when clicked (all that a
 * filter matches are looked up then).
 */
export function ExportButton({ ids, disabled }: { ids: () => Promise<string[]>; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const list = await ids();
      const saved = await api.exportTasks(list);
      showToast(saved.path ? t('bulk.exported', { n: list.length, path: saved.path }) : t('bulk.exportCancelled'));
    } catch (e) {
      showToast(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="btn small" disabled={disabled || busy} onClick={run} data-testid="export">
      <Icon name="download" /> {t('bulk.export')}
    </button>
  );
}
