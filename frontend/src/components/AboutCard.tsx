import type { AppStatus } from '../api';
import { t, type MessageKey } from '../i18n';
import { DataFolder } from './DataFolder';

/** The build (version, commit, date), the schema versions and the data folder. */
export function AboutCard({ status }: { status: AppStatus }) {
  const rows: [MessageKey, string | number | undefined][] = [
    ['about.version', status.version],
    ['about.commit', status.commit],
    ['about.built', status.build_date],
    ['about.schema', status.database?.schema_version],
    ['about.newestSchema', status.schema_version],
  ];
  return (
    <div class="card" data-testid="about">
      <h2>{t('about.title')}</h2>
      {rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => (
        <div key={k} class="kv"><span class="muted">{t(k)}</span><span class="mono">{v}</span></div>
      ))}
      {status.data_dir && (
        <>
          <div class="muted" style={{ marginTop: '10px' }}>{t('about.dataFolder')}</div>
          <DataFolder path={status.data_dir} />
        </>
      )}
    </div>
  );
}
