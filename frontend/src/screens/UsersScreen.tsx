import { useState } from 'preact/hooks';
import type { User, UserWithKey } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { QuotaBar } from '../components/QuotaBar';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { t, tx } from '../i18n';

/** A new API key, shown once. */
function NewKey({ result, onDismiss }: { result: UserWithKey; onDismiss: () => void }) {
  return (
    <div class="keybox" role="status" data-testid="new-key">
      <strong>{t('users.keyFor', { user: result.user.username })}</strong>
      <div class="codeline">
        <code data-testid="api-key">{result.api_key}</code>
        <CopyButton text={result.api_key} />
      </div>
      <div class="row">
        <span class="muted">{tx('users.keyUse', { header: <code>Authorization: Bearer …</code> })}</span>
        <div style={{ flex: 1 }} />
        <button type="button" class="btn small" onClick={onDismiss}>{t('users.saved')}</button>
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
      aria-label={t('users.create')}
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
      <h2>{t('users.new')}</h2>
      <div class="row" style={{ alignItems: 'flex-end' }}>
        <label class="field grow">{t('users.name')}<input class="input" required value={username} onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)} placeholder={t('users.namePlaceholder')} /></label>
        <label class="field grow">{t('users.email')}<input class="input" type="email" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} /></label>
        <label class="field" style={{ width: '100px' }}>{t('users.quota')}<input class="input" type="number" min={0} value={quota} onInput={(e) => setQuota((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={busy}>{t('users.create')}</button>
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
      <td class="mono muted" data-label={t('users.colKey')}>{user.key_prefix}…</td>
      <td>
        {quota === null ? (
          <button type="button" class="btn ghost small" title={t('users.changeQuota')} onClick={() => setQuota(String(user.quota))} style={{ padding: 0 }}>
            <QuotaBar used={user.used_quota} quota={user.quota} />
          </button>
        ) : (
          <form class="row" onSubmit={(e) => { e.preventDefault(); api.setQuota(user.username, Number(quota)).then(() => { setQuota(null); onChanged(); }, onError); }}>
            <input class="input" type="number" min={0} value={quota} aria-label={t('users.quota')} style={{ width: '90px' }} onInput={(e) => setQuota((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit" class="btn small">{t('users.set')}</button>
            <button type="button" class="btn small ghost" onClick={() => setQuota(null)}>{t('common.cancel')}</button>
          </form>
        )}
      </td>
      <td>{user.is_active ? <span class="badge ok">{t('users.active')}</span> : <span class="badge bad">{t('users.deactivated')}</span>}</td>
      <td class="faint num" data-label={t('users.colCreated')}>{formatDateTime(user.created_at)}</td>
      <td class="actions">
        <button type="button" class="btn small" onClick={() => setConfirmRotate(true)}>{t('users.rotate')}</button>{' '}
        <button type="button" class={`btn small${user.is_active ? ' danger' : ''}`} onClick={() => api.setActive(user.username, !user.is_active).then(onChanged, onError)}>
          {user.is_active ? t('users.deactivate') : t('users.activate')}
        </button>
        {confirmRotate && (
          <ConfirmDialog
            title={t('users.rotateTitle', { user: user.username })}
            confirmLabel={t('users.rotate')}
            onCancel={() => setConfirmRotate(false)}
            onConfirm={() => {
              setConfirmRotate(false);
              api.rotateKey(user.username).then((r) => { onKey(r); onChanged(); }, onError);
            }}
          >
            <p class="muted">{t('users.rotateBody')}</p>
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
    <section class="screen" aria-label={t('users.title')} data-screen="users">
      <div class="screen-head">
        <h1>{t('users.title')}</h1>
      </div>
      {newKey && <NewKey result={newKey} onDismiss={() => setNewKey(null)} />}
      <CreateUserForm onCreated={(r) => { setNewKey(r); users.reload(); }} />
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="card">
        {users.error !== undefined && <ErrorNotice error={users.error} onRetry={users.reload} />}
        {users.data && users.data.length === 0 ? (
          <p class="muted">{t('users.empty')}</p>
        ) : (
          <table class="data cards" aria-label={t('users.label')}>
            <thead>
              <tr><th>{t('users.colUser')}</th><th>{t('users.colKey')}</th><th>{t('users.quota')}</th><th>{t('users.colState')}</th><th>{t('users.colCreated')}</th><th /></tr>
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
