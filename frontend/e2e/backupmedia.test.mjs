// End-to-end test of what a backup set holds and where it goes: the Backups
// page shows a set with its videos, and the Destinations card adds a folder,
// backs up there, and shows it unplugged when the folder goes away.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { Server } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let server, browser, page, profile, disk;

before(async () => {
  server = await Server.start();
  await server.api('POST', '/api/v1/users', { username: 'ann', quota: 100 });
  const media = join(server.dataDir, 'media');
  mkdirSync(media, { recursive: true });
  const clip = join(media, 'final.mp4');
  writeFileSync(clip, Buffer.alloc(200_000, 7));
  const task = await server.api('POST', '/api/v1/tasks', { username: 'ann', prompt: 'A boat at dawn' });
  await server.api('POST', `/api/v1/tasks/${task.task_id}/start`);
  await server.api('POST', `/api/v1/tasks/${task.task_id}/complete`, { final_video_path: clip });
  disk = mkdtempSync(join(tmpdir(), 'reelvault-disk-'));
  profile = mkdtempSync(join(tmpdir(), 'reelvault-chromium-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server.base}/?token=${server.ownerToken()}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  for (const d of [profile, disk, disk && `${disk}-away`]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('backup sets with media', () => {
  it('shows what a set holds', async () => {
    await page.goto(`${server.base}/#/backups`);
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('status').filter({ hasText: 'Backed up' }).waitFor({ timeout: 60_000 });
    const contents = page.locator('tr[data-backup] [data-set-contents="media"]').first();
    await contents.waitFor();
    assert.match(await contents.innerText(), /Database \+ 1 video /);
  });

  it('adds a destination, backs up there, and shows it unplugged', async () => {
    const card = page.getByTestId('destinations');
    await card.getByLabel('Name').fill('usb');
    await card.getByLabel('/absolute/folder').fill(disk);
    await card.getByRole('button', { name: 'Add destination' }).click();
    const usb = card.locator('[data-destination="usb"]');
    await usb.waitFor();
    assert.equal(await usb.getAttribute('data-connected'), 'true');
    await usb.getByRole('button', { name: 'Back up here now' }).click();
    await card.getByRole('status').filter({ hasText: 'every file verified' }).waitFor({ timeout: 60_000 });
    const sets = await server.api('GET', '/api/v1/backups');
    assert.ok(sets.backups.some((b) => b.destination === 'usb' && b.media?.files === 1), 'a set with its video on usb');

    renameSync(disk, `${disk}-away`);
    await page.reload();
    await card.locator('[data-destination="usb"][data-connected="false"]').waitFor();
    assert.match(await card.locator('[data-destination="usb"]').innerText(), /unplugged/);
  });
});
