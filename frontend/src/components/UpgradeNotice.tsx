import { useState } from 'preact/hooks';
import type { Upgrade } from '../api';
import { t, tx } from '../i18n';

/** Says that opening the database upgraded it, and where the backup from before is. */
export function UpgradeNotice({ upgrade }: { upgrade: Upgrade }) {
  const [shown, setShown] = useState(true);
  if (!shown) return null;
  return (
    <div class="notice" role="status" data-testid="upgrade-notice">
      <div style={{ flex: 1 }}>
        {tx('upgrade.body', { from: upgrade.from, to: upgrade.to, path: <code>{upgrade.backup}</code> })}
      </div>
      <button type="button" class="btn small" onClick={() => setShown(false)}>{t('upgrade.ok')}</button>
    </div>
  );
}
