import { useState } from 'preact/hooks';
import type { User, UserWithKey } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { QuotaBar } from '../components/QuotaBar';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';

/** A new API key, shown once. */
function NewKey({ result, onDismiss }: { result: UserWithKey; onDismiss: () => void }) {
  return (
    <div class="keybox" role="status" data-testid="new-key">
      <strong>API key for {result.user.username} — copy it now, it is not shown again</strong>
      <div class="codeline">
        <code data-testid="api-key">{result.api_key}</code>
        <CopyButton text={result.api_key} />
      </div>
      <div class="row">
        <span class="muted">Give it to the pipeline as <code>Authorization: Bearer …</code></span>
        <div style={{ flex: 1 }} />
        <button type="button" class="btn small" onClick={onDismiss}>I have saved it</button>
      </div>
    </div>
  );
}

/** The form that creates a user. */
function CreateUserForm({ onCreated }: { onCreated: (r: UserWithKey) => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [quota, setQuota] = useState('100');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card stack"
      aria-label="Create user"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        api
          .createUser({ username: username.trim(), email: email.trim() || undefined, quota: quota === '' ? undefined : Number(quota) })
          .then((r) => {
            setUsername('');
            setEmail('');
            setError(undefined);
            onCreated(r);
          }, setError)
          .finally(() => setBusy(false));
      }}
    >
      <h2>New user</h2>
      <div class="row" style={{ alignItems: 'flex-end' }}>
        <label class="field" style={{ flex: 1 }}>Name<input class="input" required value={username} onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)} placeholder="e.g. studio-pipeline" /></label>
        <label class="field" style={{ flex: 1 }}>Email (optional)<input class="input" type="email" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} /></label>
        <label class="field" style={{ width: '100px' }}>Quota<input class="input" type="number" min={0} value={quota} onInput={(e) => setQuota((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={busy}>Create user</button>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}

/** One user's row: key prefix, quota bar and actions. */
function UserRow({ user, onKey, onChanged, onError }: { user: User; onKey: (r: UserWithKey) => void; onChanged: () => void; onError: (e: unknown) => void }) {
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [quota, setQuota] = useState<string | null>(null);
  return (
    <tr data-user={user.username} data-active={user.is_active}>
      <td>
        <div style={{ fontWeight: 500 }}>{user.username}</div>
        <div class="faint">{user.email || '—'}</div>
      </td>
      <td class="mono muted">{user.key_prefix}…</td>
      <td>
        {quota === null ? (
          <button type="button" class="btn ghost small" title="Change quota" onClick={() => setQuota(String(user.quota))} style={{ padding: 0 }}>
            <QuotaBar used={user.used_quota} quota={user.quota} />
          </button>
        ) : (
          <form class="row" onSubmit={(e) => { e.preventDefault(); api.setQuota(user.username, Number(quota)).then(() => { setQuota(null); onChanged(); }, onError); }}>
            <input class="input" type="number" min={0} value={quota} aria-label="Quota" style={{ width: '90px' }} onInput={(e) => setQuota((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit" class="btn small">Set</button>
            <button type="button" class="btn small ghost" onClick={() => setQuota(null)}>Cancel</button>
          </form>
        )}
      </td>
      <td>{user.is_active ? <span class="badge ok">Active</span> : <span class="badge bad">Deactivated</span>}</td>
      <td class="faint num">{formatDateTime(user.created_at)}</td>
      <td class="actions">
        <button type="button" class="btn small" onClick={() => setConfirmRotate(true)}>Rotate key</button>{' '}
        <button type="button" class={`btn small${user.is_active ? ' danger' : ''}`} onClick={() => api.setActive(user.username, !user.is_active).then(onChanged, onError)}>
          {user.is_active ? 'Deactivate' : 'Activate'}
        </button>
        {confirmRotate && (
          <ConfirmDialog
            title={`Rotate the key of ${user.username}?`}
            confirmLabel="Rotate key"
            onCancel={() => setConfirmRotate(false)}
            onConfirm={() => {
              setConfirmRotate(false);
              api.rotateKey(user.username).then((r) => { onKey(r); onChanged(); }, onError);
            }}
          >
            <p class="muted">The current key stops working at once. Pipelines using it need the new key.</p>
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}

/** Users and their API keys and quotas. */
export function UsersScreen() {
  const users = useAsync(() => api.listUsers(), []);
  const [newKey, setNewKey] = useState<UserWithKey | null>(null);
  const [error, setError] = useState<unknown>();
  return (
    <section class="screen" aria-label="Users and keys">
      <div class="screen-head">
        <h1>Users &amp; keys</h1>
      </div>
      {newKey && <NewKey result={newKey} onDismiss={() => setNewKey(null)} />}
      <CreateUserForm onCreated={(r) => { setNewKey(r); users.reload(); }} />
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="card">
        {users.error !== undefined && <ErrorNotice error={users.error} onRetry={users.reload} />}
        {users.data && users.data.length === 0 ? (
          <p class="muted">No users yet. Each pipeline (or person) that records tasks gets its own user and key, so you can see who made what and cap it with a quota.</p>
        ) : (
          <table class="data" aria-label="Users">
            <thead>
              <tr><th>User</th><th>Key</th><th>Quota</th><th>State</th><th>Created</th><th /></tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((u) => (
                <UserRow key={u.id} user={u} onKey={setNewKey} onChanged={users.reload} onError={setError} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
