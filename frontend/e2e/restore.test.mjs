// End-to-end tests of restoring: a fresh install restores an uploaded backup
// file after showing what it holds; the Backups page previews a backup
// against the live history and restores one chosen task; a restore drill
// proves the newest backup restorable. Debian's chromium, driven by
// playwright-core, against the real reelvault binary in serve mode.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, Server } from './harness.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let source, fresh, browser, backup, setFile;
const ids = [];

async function openPage(server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', colorScheme: 'light' });
  const [name, ...rest] = server.cookie.split('=');
  await context.addCookies([{ name, value: rest.join('='), url: server.base }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  source = await Server.start();
  await source.api('POST', '/api/v1/users', { username: 'ann', quota: 100 });
  for (const prompt of ['A paper boat in the rain', 'A fox in the snow', 'City lights at night']) {
    ids.push((await source.api('POST', '/api/v1/tasks', { username: 'ann', prompt })).task_id);
  }
  backup = await source.api('POST', '/api/v1/backups');
  const res = await fetch(`${source.base}/api/v1/backups/${encodeURIComponent(backup.name)}/download`, { headers: { Cookie: source.cookie } });
  assert.equal(res.status, 200);
  setFile = join(source.work, 'carried-over.db.zst');
  writeFileSync(setFile, Buffer.from(await res.arrayBuffer()));
  fresh = await Server.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await source?.stop();
  await fresh?.stop();
});

describe('restore', () => {
  it('offers an empty install a restore from an uploaded backup, showing its contents first', async () => {
    const page = await openPage(fresh);
    await page.goto(`${fresh.base}/#/history`);
    await page.locator('[data-testid="restore-link"]').click();
    const card = page.locator('[data-testid="restore-from-file"]');
    // The card is drawn at once; it says so once the backups list loaded.
    await card.getByText(/no history yet/).waitFor();
    await card.locator('input[type="file"]').setInputFiles(setFile);
    const info = card.locator('[data-testid="upload-info"]');
    await info.waitFor();
    const text = await info.innerText();
    assert.match(text, /holds 3 tasks, 1 user and 0 videos/);
    assert.match(text, /schema version \d+, from SQLite/);
    // Nothing changed yet.
    assert.equal((await fresh.api('GET', '/api/v1/tasks')).tasks.length, 0);
    await page.screenshot({ path: join(shots, 'restore-upload.png') });
    await info.getByRole('button', { name: 'Restore this backup' }).click();
    await card.locator('[role="status"]').waitFor();
    assert.match(await card.locator('[role="status"]').innerText(), /3 tasks/);
    assert.equal((await fresh.api('GET', '/api/v1/tasks')).tasks.length, 3);
    await page.goto(`${fresh.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    await page.context().close();
  });

  it('previews a backup against the live history and restores one chosen task', async () => {
    await source.api('POST', `/api/v1/tasks/${ids[1]}/cancel`, {});
    await source.api('POST', `/api/v1/tasks/${ids[2]}/cancel`, {});
    const page = await openPage(source);
    await page.goto(`${source.base}/#/backups`);
    await page.locator(`tr[data-backup="${backup.name}"]`).getByRole('button', { name: 'Tasks…' }).click();
    const preview = page.locator('[data-testid="task-preview"]');
    await preview.waitFor();
    assert.match(await preview.locator('[data-testid="task-preview-summary"]').innerText(), /3 tasks in the backup, 3 here: 1 the same, 0 missing here, 2 changed/);
    await page.screenshot({ path: join(shots, 'restore-preview.png') });
    await preview.locator(`tr[data-task="${ids[1]}"] input[type="checkbox"]`).check();
    await page.getByRole('button', { name: 'Restore 1 task' }).click();
    await page.locator('.notice[role="status"]').waitFor();
    assert.match(await page.locator('.notice[role="status"]').innerText(), /Restored 1 task /);
    assert.equal((await source.api('GET', `/api/v1/tasks/${ids[1]}`)).status, 'pending');
    assert.equal((await source.api('GET', `/api/v1/tasks/${ids[2]}`)).status, 'cancelled', 'the task not ticked is left as it is');
    // Undo puts the restored task back as it was.
    await page.locator('.notice[role="status"]').getByRole('button', { name: 'Undo restore' }).click();
    // Undo is confirmed like a restore.
    await page.getByRole('dialog').getByRole('button', { name: 'Undo last restore' }).click();
    await page.waitForFunction(() => /undone/.test(document.querySelector('.notice[role="status"]')?.textContent ?? ''));
    assert.equal((await source.api('GET', `/api/v1/tasks/${ids[1]}`)).status, 'cancelled');
    await page.context().close();
  });

  it('runs a restore drill and shows when the backups were last proven restorable', async () => {
    const page = await openPage(source);
    await page.goto(`${source.base}/#/backups`);
    const card = page.locator('[data-testid="proven"]');
    await card.waitFor();
    await card.getByRole('button', { name: 'Run a drill now' }).click();
    // The drill's answer and the live event that refreshes the line arrive
    // in either order: wait for both.
    await card.getByText(/Drill passed/).waitFor();
    await page.waitForFunction(() => /Last proven restorable/.test(document.querySelector('[data-testid="proven-line"]')?.textContent ?? ''));
    assert.match(await card.innerText(), /Drill passed/);
    await page.context().close();
  });
});
