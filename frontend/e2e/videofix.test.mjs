// End-to-end tests of the video fixes on the task page: replace a scene's
// video with another real file (made here by ffmpeg) and see its facts,
// remove one and see it gone; Debian's chromium, driven by playwright-core,
// against the real reelvault binary in serve mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, Server } from './harness.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server, browser, clips;

/** Makes a one-second H.264 test clip of the given size with ffmpeg. */
function makeClip(dir, name, size) {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=1`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', path]);
  return path;
}

async function openPage(s, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US', colorScheme: 'light' });
  await context.addCookies([{ name: s.cookie.split('=')[0], value: s.cookie.split('=').slice(1).join('='), url: s.base }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  await server.api('POST', '/api/v1/users', { username: 'ann', quota: 1000 });
  clips = join(server.dataDir, 'media');
  mkdirSync(clips, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('video fixes', () => {
  it('replaces a scene video with another file and removes one, from the task page', async () => {
    const first = makeClip(clips, 'scene1.mp4', '640x360');
    const second = makeClip(clips, 'scene2.mp4', '640x360');
    const final = makeClip(clips, 'final.mp4', '640x360');
    const better = makeClip(clips, 'scene1-better.mp4', '320x180');
    const task = await server.api('POST', '/api/v1/tasks', { username: 'ann', prompt: 'A take worth fixing', total_scenes: 2 });
    const id = task.task_id;
    await server.api('POST', `/api/v1/tasks/${id}/start`);
    await server.api('POST', `/api/v1/tasks/${id}/videos`, { scene_number: 1, file_path: first });
    await server.api('POST', `/api/v1/tasks/${id}/videos`, { scene_number: 2, file_path: second });
    await server.api('POST', `/api/v1/tasks/${id}/complete`, { final_video_path: final });

    // 800 px: the narrowest window the app supports.
    const page = await openPage(server, { width: 800, height: 900 });
    await page.goto(`${server.base}/#/task/${id}`);
    const scene1 = page.locator('.scene[data-scene="1"]');
    await scene1.waitFor();
    assert.match(await scene1.innerText(), /640×360/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'the task page fits 800 px');
    for (const n of ['0', '1', '2']) assert.equal(await page.locator(`[data-video-fix="${n}"] button`).count(), 2, `scene ${n} has Replace… and Remove`);
    await page.locator('.scene[data-scene="2"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'task-video-fixes-800.png') });

    // A path too long to be one: the dialog says why and stays open.
    await scene1.locator('[data-testid="replace-video"]').click();
    const dialog = page.locator('dialog.video-fix-dialog');
    await dialog.waitFor();
    assert.match(await dialog.locator('[data-testid="replace-current"]').innerText(), /scene1\.mp4/);
    await dialog.locator('[data-testid="replace-path"]').fill('/' + 'x'.repeat(5000) + '.mp4');
    await dialog.locator('[data-testid="replace-confirm"]').click();
    const notice = dialog.locator('.error-box');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('data-code'), 'invalid');
    assert.match(await notice.innerText(), /path/i);
    await page.screenshot({ path: join(shots, 'task-replace-error.png') });
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A file that is not there: registered as missing, and the toast says so.
    await scene1.locator('[data-testid="replace-video"]').click();
    await dialog.locator('[data-testid="replace-path"]').fill(join(clips, 'not-yet-copied.mp4'));
    await dialog.locator('[data-testid="replace-confirm"]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.toast', { hasText: 'registered as missing' }).waitFor();
    await scene1.locator('[data-missing="true"]').waitFor();

    // The real file: the dialog closes and the scene shows the new file's facts.
    await scene1.locator('[data-testid="replace-video"]').click();
    // The real file: the dialog closes and the scene shows the new file's facts.
    await dialog.locator('[data-testid="replace-path"]').fill(better);
    await dialog.locator('[data-testid="replace-confirm"]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => /320×180/.test(document.querySelector('.scene[data-scene="1"]')?.textContent ?? ''));
    const stored = await server.api('GET', `/api/v1/tasks/${id}`);
    const v1 = stored.videos.find((v) => v.scene_number === 1);
    assert.equal(v1.file_path, better);
    assert.equal(v1.width, 320);

    // Remove scene 2 after confirming: its card goes (it has no script).
    await page.locator('.scene[data-scene="2"] [data-testid="remove-video"]').click();
    const confirm = page.locator('dialog[aria-label^="Remove the video of Scene 2"]');
    await confirm.waitFor();
    await confirm.locator('button.primary').click();
    await page.locator('.scene[data-scene="2"]').waitFor({ state: 'detached' });
    const after = await server.api('GET', `/api/v1/tasks/${id}`);
    assert.deepEqual(after.videos.map((v) => v.scene_number).sort(), [0, 1]);
    await page.screenshot({ path: join(shots, 'task-video-removed-800.png') });
    await page.context().close();
  });
});
