import { useState } from 'preact/hooks';
import type { Upgrade } from '../api';

/** Says that opening the database upgraded it, and where the backup from before is. */
export function UpgradeNotice({ upgrade }: { upgrade: Upgrade }) {
  const [shown, setShown] = useState(true);
  if (!shown) return null;
  return (
    <div class="notice" role="status" data-testid="upgrade-notice">
      <div style={{ flex: 1 }}>
        This database was upgraded from schema version {upgrade.from} to {upgrade.to}. A backup of it as it was is in{' '}
        <code>{upgrade.backup}</code>.
      </div>
      <button type="button" class="btn small" onClick={() => setShown(false)}>OK</button>
    </div>
  );
}
