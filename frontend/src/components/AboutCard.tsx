import type { AppStatus } from '../api';
import { DataFolder } from './DataFolder';

/** The build (version, commit, date), the schema versions and the data folder. */
export function AboutCard({ status }: { status: AppStatus }) {
  const rows: [string, string | number | undefined][] = [
    ['Version', status.version],
    ['Commit', status.commit],
    ['Built', status.build_date],
    ['Database schema', status.database?.schema_version],
    ['Newest schema supported', status.schema_version],
  ];
  return (
    <div class="card" data-testid="about">
      <h2>About Reelvault</h2>
      {rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => (
        <div key={k} class="kv"><span class="muted">{k}</span><span class="mono">{v}</span></div>
      ))}
      {status.data_dir && (
        <>
          <div class="muted" style={{ marginTop: '10px' }}>Data folder</div>
          <DataFolder path={status.data_dir} />
        </>
      )}
    </div>
  );
}
