// The Backups page a creator can trust, in the browser: what a backup
// holds and where it is kept, download and delete (never the newest
// verified backup), undo only when there is a restore to undo and only
// after a question, schedule presets, errors titled in words; then the
// page in Chinese.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, Server } from './harness.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server, browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  const { api_key: key } = await server.api('POST', '/api/v1/users', { username: 'studio', quota: 100 });
  for (const prompt of ['A lighthouse in a storm', '雨夜里的橘猫']) {
    const res = await fetch(`${server.base}/api/v1/tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
    assert.equal(res.status, 201);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in page on the Backups screen, in locale. */
async function backupsPage(locale = 'en-US') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', locale, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(server.link() + '#/backups');
  await page.waitForSelector('[data-screen="backups"]');
  return page;
}

/** The rows of the catalogue, newest first. */
const rows = (page) => page.locator('tr[data-backup]');

describe('backups page', () => {
  it('says what a backup holds and where, downloads, deletes, undoes and schedules', async () => {
    const page = await backupsPage();
    const contents = await page.getByTestId('backup-contents').innerText();
    assert.match(contents, /copy of the Reelvault database/);
    assert.match(contents, /video files themselves are not in it/);
    assert.doesNotMatch(await page.locator('[data-screen="backups"]').innerText(), /copy of everything/);
    await page.getByTestId('backup-folder').waitFor();
    assert.ok((await page.getByTestId('backup-folder').innerText()).includes(join(server.dataDir, 'backups')));

    // Nothing to undo yet: the button is disabled and says why.
    const undo = page.getByTestId('undo-restore');
    assert.equal(await undo.isDisabled(), true);
    assert.equal(await undo.getAttribute('title'), 'There is no restore to undo.');

    // Two backups; the newest verified cannot be deleted.
    for (let i = 1; i <= 2; i++) {
      await page.getByRole('button', { name: 'Back up now' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('tr[data-backup]').length === n, i);
      await page.getByRole('button', { name: 'Back up now' }).waitFor({ state: 'visible' });
      await page.waitForFunction(() => !document.querySelector('.screen-head .btn.primary')?.disabled);
    }
    const newest = rows(page).first();
    const older = rows(page).nth(1);
    assert.equal(await newest.getByTestId('delete').isDisabled(), true);
    assert.match(await newest.getByTestId('delete').getAttribute('title'), /newest verified backup is always kept/);
    await page.screenshot({ path: join(shots, 'backups-page.png'), fullPage: true });

    // Download the older one: the file is the catalogued size.
    const size = Number(await page.evaluate(async () => (await (await fetch('/api/v1/backups')).json()).backups[1].size));
    const [download] = await Promise.all([page.waitForEvent('download'), older.getByTestId('download').click()]);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(await download.path()).size, size);

    // Delete it, after a question.
    const olderName = await older.getAttribute('data-backup');
    await older.getByTestId('delete').click();
    const del = page.getByRole('dialog', { name: /Delete the backup of/ });
    await del.waitFor();
    assert.match(await del.innerText(), /cannot be undone/);
    await del.getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction((name) => !document.querySelector(`tr[data-backup="${name}"]`), olderName);
    assert.equal(await rows(page).count(), 1);

    // Restore, then undo: enabled now, and asked like a restore.
    await rows(page).first().getByRole('button', { name: 'Restore…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText(/Restored the backup of/).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="undo-restore"]')?.disabled);
    // The safety copy is compressed and verified, not a red "Not verified".
    const pre = page.locator('tr[data-backup*="pre-restore"]');
    await pre.first().waitFor();
    assert.match(await pre.first().getAttribute('data-backup'), /\.db\.zst$/);
    assert.match(await pre.first().innerText(), /Verified/);
    await page.getByTestId('undo-restore').click();
    const ask = page.getByRole('dialog', { name: 'Undo the last restore?' });
    await ask.waitFor();
    await page.screenshot({ path: join(shots, 'backups-undo-confirm.png') });
    await ask.getByRole('button', { name: 'Undo last restore' }).click();
    await page.getByText('The last restore was undone; the data is as it was before it.').waitFor();

    // The schedule: presets, and cron for experts.
    await page.getByRole('button', { name: 'Change…' }).click();
    await page.getByRole('button', { name: 'Every 6 hours' }).click();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('button', { name: 'Change…' }).waitFor();
    assert.equal((await server.api('GET', '/api/v1/schedule')).backup, '0 */6 * * *');
    await page.getByRole('button', { name: 'Change…' }).click();
    assert.equal(await page.getByRole('button', { name: 'Every 6 hours' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Custom (cron)' }).click();
    await page.getByLabel('Cron expression (minute hour day month weekday)').fill('every tuesday');
    await page.screenshot({ path: join(shots, 'backups-schedule-presets.png') });
    await page.getByRole('button', { name: 'Save schedule' }).click();
    // An error box is titled in words, not a code in capitals.
    const box = page.locator('.error-box').first();
    await box.waitFor();
    const title = await box.locator('.code').innerText();
    assert.equal(title, 'Please check the input');
    assert.notEqual(title, title.toUpperCase());
    await page.getByRole('button', { name: 'Every night at 03:00' }).click();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('button', { name: 'Change…' }).waitFor();
    assert.equal((await server.api('GET', '/api/v1/schedule')).backup, '0 3 * * *');
    await page.context().close();
  });

  it('speaks Chinese', async () => {
    const page = await backupsPage('zh-CN');
    await page.getByRole('heading', { name: '备份包含什么' }).waitFor();
    assert.match(await page.getByTestId('backup-contents').innerText(), /视频文件本身不在备份中/);
    assert.match(await page.getByTestId('backup-folder').innerText(), /备份保存在/);
    await page.getByRole('button', { name: '修改…' }).click();
    for (const name of ['每晚 03:00', '每 6 小时', '每周（周日 03:00）', '自定义（cron）']) await page.getByRole('button', { name }).waitFor();
    assert.equal(await page.getByTestId('undo-restore').isDisabled(), false, 'the restore of the first test can be undone');
    await page.screenshot({ path: join(shots, 'backups-page-zh-CN.png'), fullPage: true });
    await page.context().close();
  });
});
