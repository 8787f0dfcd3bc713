// End-to-end tests of the web UI: Debian's chromium, driven by
// playwright-core, against the real reelvault binary in serve mode on a
// temporary data dir seeded through the HTTP API.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, frontendDir, Server } from './harness.mjs';
import { PROMPTS, seed } from './seed.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BULK = Number(process.env.E2E_BULK ?? 10_000);

let server, seeded, browser, context, page, profile;
const measured = {};

/** Saves a screenshot of the page as name.png. */
async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** The history rows' prompts as shown. */
function visiblePrompts() {
  return page.locator('.task-row .prompt-line').allInnerTexts();
}

/** Types into the search box and returns ms from the last keystroke to the results' paint. */
/** Waits until the status chips show want ({status: "count"}, unlisted statuses "0"). */
async function chipsShow(want) {
  const all = { pending: '0', processing: '0', completed: '0', failed: '0', cancelled: '0', ...want };
  await page.waitForFunction((all) => {
    const got = {};
    for (const c of document.querySelectorAll('.chip[data-status]')) got[c.dataset.status] = c.querySelector('.count')?.textContent;
    return Object.entries(all).every(([s, n]) => got[s] === n);
  }, all);
}

async function search(text) {
  const box = page.getByRole('searchbox', { name: 'Search prompts, scenes and errors' });
  if (await box.inputValue()) {
    // Let the cleared search land first, or typing the same term again
    // would not change the query.
    await page.evaluate(() => performance.clearMarks());
    await box.fill('');
    await page.waitForFunction(() => performance.getEntriesByName('rv:history-page').some((m) => m.detail?.search === ''));
  }
  await page.evaluate(() => performance.clearMarks());
  await box.pressSequentially(text, { delay: 20 });
  const handle = await page.waitForFunction((q) => {
    const marks = performance.getEntriesByName('rv:history-page');
    const hit = marks.find((m) => m.detail && m.detail.search === q);
    const inputs = performance.getEntriesByName('rv:search-input');
    return hit && inputs.length ? hit.startTime - inputs[inputs.length - 1].startTime : false;
  }, text);
  return handle.jsonValue();
}

/**
 * Runs in the page: scrolls the element 40 rows a frame (2,400 rows a second
 * at 60 Hz) until row target, recording the time between animation frames
 * and any long animation frames.
 */
async function scrollFrames({ selector, target, rowHeight }) {
  const el = document.querySelector(selector);
  const frames = [];
  const long = [];
  let po;
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    po = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
    po.observe({ type: 'long-animation-frame' });
  }
  const started = performance.now();
  let last = started;
  await new Promise((done) => {
    const step = (now) => {
      frames.push(now - last);
      last = now;
      el.scrollTop += 40 * rowHeight;
      if (el.scrollTop / rowHeight >= target || now - started > 60_000) return done();
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  po?.disconnect();
  frames.shift();
  return { frames, long, rows: Math.floor(el.scrollTop / rowHeight), seconds: (performance.now() - started) / 1000 };
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  seeded = await seed(server, { bulk: BULK });
  measured.seedBulkSeconds = Number(seeded.bulkSeconds.toFixed(1));
  profile = mkdtempSync(join(tmpdir(), 'reelvault-chromium-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (Object.keys(measured).length) {
    writeFileSync(join(artifactsDir, 'frontend-bench.json'), JSON.stringify(measured, null, 2));
    console.log('frontend measurements:', JSON.stringify(measured, null, 2));
  }
});

describe('history', () => {
  it('signs in with the link serve prints and paints the first page', async () => {
    await page.goto(`${server.base}/?token=${server.ownerToken()}`);
    await page.locator('.task-row').first().waitFor();
    assert.equal(new URL(page.url()).searchParams.has('token'), false, 'the token is removed from the address');
    const firstPage = () => page.evaluate(() => performance.getEntriesByName('rv:history-page')[0]?.startTime);
    const cold = await firstPage();
    assert.ok(cold > 0, 'the first page was marked');
    const warm = [];
    for (let i = 0; i < 5; i++) {
      await page.reload();
      await page.locator('.task-row').first().waitFor();
      await page.waitForFunction(() => performance.getEntriesByName('rv:history-page').length > 0);
      warm.push(await firstPage());
    }
    measured.firstPageMs = { cold: Math.round(cold), warmP50: Math.round(percentile(warm, 50)), warmMax: Math.round(Math.max(...warm)) };
    const prompts = await visiblePrompts();
    assert.equal(prompts[0], PROMPTS.pending, 'newest first');
    assert.ok(prompts.includes(PROMPTS.boat));
    await shot('history');
  });

  it('shows counts per status', async () => {
    const count = (s) => page.locator(`.chip[data-status="${s}"] .count`).innerText();
    await page.waitForFunction(() => document.querySelector('.chip[data-status="failed"] .count')?.textContent !== '');
    assert.equal(await count('failed'), '1');
    assert.equal(await count('cancelled'), '1');
    assert.equal(await count('completed'), '3');
    assert.equal(await count('processing'), '1');
    assert.equal((await count('pending')).replace(/,/g, ''), String(BULK + 1));
  });

  it('filters by status', async () => {
    await page.locator('.chip[data-status="failed"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 1);
    assert.deepEqual(await visiblePrompts(), [PROMPTS.failed]);
    await page.locator('.chip[data-status="completed"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 4);
    // A chip counts under the other filters, not its own: the chips not
    // selected keep their numbers, and the heading counts the list.
    assert.equal((await page.locator('.chip[data-status="pending"] .count').innerText()).replace(/,/g, ''), String(BULK + 1));
    await page.waitForFunction(() => document.querySelector('section[aria-label="History"] .screen-head .num')?.textContent === '4 tasks');
    const statuses = await page.locator('.task-row .badge').evaluateAll((els) => els.map((e) => e.dataset.status));
    assert.deepEqual([...new Set(statuses)].sort(), ['completed', 'failed']);
    await shot('history-filtered');
    await page.locator('.chip[data-status="failed"]').click();
    await page.locator('.chip[data-status="completed"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length > 4);
  });

  it('filters by user', async () => {
    await page.getByRole('combobox', { name: 'User' }).selectOption('bo');
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 3);
    assert.deepEqual(await visiblePrompts(), [PROMPTS.pending, PROMPTS.failed, PROMPTS.cat]);
    await chipsShow({ pending: '1', failed: '1', completed: '1' });
    await page.getByRole('combobox', { name: 'User' }).selectOption('');
  });

  it('filters by creation date, and clears the filters', async () => {
    const day = (offset) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    await page.getByLabel('Created from').fill(day(-1));
    await page.getByLabel('Created to').fill(day(0));
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length > 4);
    await page.getByLabel('Created from').fill(day(1));
    await page.getByLabel('Created to').fill(day(2));
    await page.locator('[data-empty="filtered"]').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length > 4);
    assert.equal(await page.getByLabel('Created from').inputValue(), '');
  });

  it('searches prompts in English and Chinese, and scene descriptions', async () => {
    await search('paper boat');
    assert.deepEqual(await visiblePrompts(), [PROMPTS.boat]);
    await chipsShow({ completed: '1' });
    await search('橘猫');
    assert.deepEqual(await visiblePrompts(), [PROMPTS.cat]);
    await shot('history-search-chinese');
    await search('烟囱');
    assert.deepEqual(await visiblePrompts(), [PROMPTS.cat], 'a word only in a scene description finds its task');
    await search('gutter');
    assert.deepEqual(await visiblePrompts(), [PROMPTS.boat]);
    await search('zebra crossing helicopter');
    await page.locator('[data-empty="filtered"]').waitFor();
    await page.getByRole('searchbox', { name: 'Search prompts, scenes and errors' }).fill('');
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length > 4);
  });

  it('moves with the keyboard and opens a task with Enter', async () => {
    await page.locator('.vlist').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const sel = page.locator('.task-row[aria-selected="true"]');
    assert.equal(await sel.getAttribute('id'), 'row-1');
    const id = await sel.getAttribute('data-task-id');
    await page.keyboard.press('Enter');
    await page.locator(`section[aria-label="Task"][data-task-id="${id}"]`).waitFor();
    await page.goBack();
    await page.locator('.task-row').first().waitFor();
  });
});

describe('task', () => {
  it('shows a completed task and plays and seeks its final video', async () => {
    await page.goto(`${server.base}/#/task/${seeded.ids.boat}`);
    await page.getByTestId('prompt').waitFor();
    assert.equal(await page.getByTestId('prompt').innerText(), PROMPTS.boat);
    assert.equal(await page.locator('.scene').count(), 2);
    assert.match(await page.locator('.scene[data-scene="2"]').innerText(), /gutter stream/);
    assert.match(await page.locator('.timeline').innerText(), /Completed/);
    const video = page.locator('video[aria-label="Final video"]');
    const state = await video.evaluate(async (v) => {
      v.muted = true;
      await v.play();
      await new Promise((r) => (v.readyState >= 3 ? r() : v.addEventListener('canplay', r, { once: true })));
      const ready = v.readyState;
      v.pause();
      v.currentTime = 2.5;
      await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      return { ready, time: v.currentTime, duration: v.duration };
    });
    assert.ok(state.ready >= 3, `readyState ${state.ready}`);
    assert.ok(Math.abs(state.time - 2.5) < 0.3, `seeked to ${state.time}`);
    assert.ok(Math.abs(state.duration - 4) < 0.2, `duration ${state.duration}`);
    // Registered without facts, the final video's resolution comes from its header.
    await page.locator('.facts').getByText('320×180').waitFor();
    await shot('task');
  });

  it('plays a scene clip through /media', async () => {
    const src = await page.locator('.scene[data-scene="1"] video').getAttribute('src');
    assert.equal(src, `/media/${seeded.boatScene1.id}`);
    const ready = await page.locator('.scene[data-scene="1"] video').evaluate(async (v) => {
      v.muted = true;
      await v.play();
      await new Promise((r) => (v.readyState >= 3 ? r() : v.addEventListener('canplay', r, { once: true })));
      v.pause();
      return v.readyState;
    });
    assert.ok(ready >= 3);
  });

  it('shows the error of a failed task', async () => {
    await page.goto(`${server.base}/#/task/${seeded.ids.failed}`);
    const alert = page.locator('section[aria-label="Task"] [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Scene 2 render timed out after 300 s/);
    await shot('task-failed');
  });

  it('marks a video whose file has gone missing', async () => {
    await page.goto(`${server.base}/#/task/${seeded.ids.missing}`);
    await page.locator('[data-missing="true"]').first().waitFor();
    assert.match(await page.locator('[data-missing="true"]').first().innerText(), /File missing/);
  });

  it('shows live progress of a running task', async () => {
    await page.goto(`${server.base}/#/task/${seeded.ids.running}`);
    const bar = page.getByRole('progressbar', { name: 'task progress' });
    await bar.waitFor();
    assert.equal(await bar.getAttribute('aria-valuenow'), '40');
    await server.api('POST', `/api/v1/tasks/${seeded.ids.running}/progress`, { progress: 65, completed_scenes: 2 });
    await page.waitForFunction(() => document.querySelector('[aria-label="task progress"]')?.getAttribute('aria-valuenow') === '65');
  });

  it('exports the task as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const path = await download.path();
    const task = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(task.task_id, seeded.ids.running);
    assert.equal(task.prompt, PROMPTS.running);
  });
});

describe('screens', () => {
  it('shows statistics', async () => {
    await page.goto(`${server.base}/#/stats`);
    // The screen loads its code on demand, then its numbers.
    const tiles = page.locator('.tile[data-tile="Tasks"] .value');
    await page.waitForFunction(
      (want) => document.querySelector('.tile[data-tile="Tasks"] .value')?.textContent?.replace(/,/g, '') === want,
      String(BULK + 7),
    );
    assert.equal((await tiles.innerText()).replace(/,/g, ''), String(BULK + 7));
    assert.match(await page.locator('.tile[data-tile="Success rate"] .value').innerText(), /^\d+(\.\d)?%$/);
    await page.locator('.chart canvas').first().waitFor();
    // With no day hovered the legend shows range totals, without an empty day entry.
    const legend = page.locator('.chart').first().locator('.u-legend');
    const entries = () =>
      legend.locator('.u-series').evaluateAll((rows) =>
        rows.map((r) => [r.querySelector('.u-label')?.textContent, r.querySelector('.u-value')?.textContent, getComputedStyle(r).display !== 'none']),
      );
    let rows = await entries();
    assert.deepEqual(rows[0], ['Day', '', false]);
    const totals = Object.fromEntries(rows.slice(1).map(([l, v, shown]) => [l, shown ? v.replace(/,/g, '') : 'hidden']));
    assert.deepEqual(totals, { Completed: '3', Failed: '1', Cancelled: '1', 'Still open': String(BULK + 2) });
    // Hovering a day shows it and its values.
    const box = await page.locator('.chart .u-over').first().boundingBox();
    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
    await page.waitForFunction(() => /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/.test(document.querySelector('.chart .u-legend .u-series .u-value')?.textContent ?? ''));
    rows = await entries();
    assert.equal(rows[0][2], true, 'the hovered day is shown');
    await page.mouse.move(0, 0);
    await shot('statistics');
  });

  it('creates a user and shows its key once', async () => {
    await page.goto(`${server.base}/#/users`);
    await page.locator('tr[data-user="ann"]').waitFor();
    await page.getByLabel('Name').fill('cleo');
    await page.getByLabel('Quota').first().fill('3');
    await page.getByRole('button', { name: 'Create user' }).click();
    const key = await page.getByTestId('api-key').innerText();
    assert.match(key, /^rv_/);
    const me = await fetch(`${server.base}/api/v1/me`, { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.json());
    assert.equal(me.user.username, 'cleo');
    await page.locator('tr[data-user="cleo"]').waitFor();
    await shot('users');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    assert.equal(await page.getByTestId('api-key').count(), 0);
  });

  it('deactivates a user, whose key then stops working', async () => {
    await page.locator('tr[data-user="cleo"]').getByRole('button', { name: 'Deactivate' }).click();
    await page.locator('tr[data-user="cleo"][data-active="false"]').waitFor();
  });

  it('rotates a key: the old one stops working at once, the new one works', async () => {
    const oldKey = await page.getByTestId('api-key').count(); // the creation key was dismissed above
    assert.equal(oldKey, 0);
    const created = await server.api('POST', '/api/v1/users', { username: 'dee', quota: 5 });
    await page.reload();
    const row = page.locator('tr[data-user="dee"]');
    await row.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    const key = await page.getByTestId('api-key').innerText();
    assert.notEqual(key, created.api_key);
    const me = (k) => fetch(`${server.base}/api/v1/me`, { headers: { Authorization: `Bearer ${k}` } }).then((r) => r.status);
    assert.equal(await me(created.api_key), 401);
    assert.equal(await me(key), 200);
    await page.getByRole('button', { name: 'I have saved it' }).click();
  });

  it('changes a quota', async () => {
    const row = page.locator('tr[data-user="dee"]');
    await row.getByTitle('Change quota').click();
    await row.getByLabel('Quota').fill('42');
    await row.getByRole('button', { name: 'Set' }).click();
    await page.waitForFunction(() => /\/ 42/.test(document.querySelector('tr[data-user="dee"] .quota')?.textContent ?? ''));
    const users = await server.api('GET', '/api/v1/users');
    assert.equal(users.users.find((u) => u.username === 'dee').quota, 42);
  });

  it('shows a readable error for bad input', async () => {
    await page.getByLabel('Name').fill('ann');
    await page.getByRole('button', { name: 'Create user' }).click();
    const alert = page.locator('form[aria-label="Create user"] [role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'conflict');
  });

  it('backs up, restores after a confirmation, and undoes the restore', async () => {
    await page.goto(`${server.base}/#/backups`);
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('status').filter({ hasText: 'Backed up' }).waitFor({ timeout: 60_000 });
    const row = page.locator('tr[data-backup]').first();
    assert.match(await row.innerText(), /Verified/);
    await shot('backups');

    // A task written after the backup: restoring takes it away, undo brings it back.
    const late = await server.api('POST', '/api/v1/tasks', { username: 'ann', prompt: 'Written after the backup' });
    await row.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('tr[data-table="tasks"]').waitFor();
    const cells = await dialog.locator('tr[data-table="tasks"] td').allInnerTexts();
    assert.equal(cells[1].replace(/,/g, ''), String(BULK + 7), 'tasks in the backup');
    assert.equal(cells[2].replace(/,/g, ''), String(BULK + 8), 'tasks here now');
    assert.equal(cells[3], '1 fewer');
    await shot('backups-restore-confirm');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Restored' }).waitFor({ timeout: 60_000 });
    await assert.rejects(server.api('GET', `/api/v1/tasks/${late.task_id}`), (e) => e.status === 404);

    await page.getByRole('status').getByRole('button', { name: 'Undo restore' }).click();
    // Undo is asked like a restore.
    await page.getByRole('dialog', { name: 'Undo the last restore?' }).getByRole('button', { name: 'Undo last restore' }).click();
    await page.getByRole('status').filter({ hasText: 'undone' }).waitFor({ timeout: 60_000 });
    assert.equal((await server.api('GET', `/api/v1/tasks/${late.task_id}`)).prompt, 'Written after the backup');
  });

  it('shows the schedule in plain words and changes it', async () => {
    const words = await page.getByTestId('schedule-words').innerText();
    assert.match(words, /^Backs up every day at \d\d:\d\d, keep \d+/);
    await page.getByRole('button', { name: 'Change…' }).click();
    await page.getByRole('button', { name: 'Custom (cron)' }).click();
    await page.getByLabel('Cron expression (minute hour day month weekday)').fill('0 2 * * 1-5');
    await page.getByLabel('Keep newest').fill('5');
    assert.match(await page.getByTestId('schedule-words').innerText(), /^Backs up every weekday at 02:00, keep 5/);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('button', { name: 'Change…' }).waitFor();
    const saved = await server.api('GET', '/api/v1/schedule');
    assert.equal(saved.backup, '0 2 * * 1-5');
    assert.equal(saved.keep, 5);
    await page.reload();
    await page.getByText('Backs up every weekday at 02:00, keep 5').waitFor();
  });

  it('runs maintenance', async () => {
    await page.goto(`${server.base}/#/maintenance`);
    await page.getByTestId('db-size').waitFor();
    await page.locator('[data-op="optimize"]').getByRole('button', { name: 'Run now' }).click();
    await page.waitForFunction(() => /Last run/.test(document.querySelector('[data-testid="last-optimize"]')?.textContent ?? ''));
    await page.locator('.bar-row[data-table="tasks"]').waitFor();
    await shot('maintenance');
  });

  it('adds and removes a media root', async () => {
    await page.goto(`${server.base}/#/maintenance`);
    const card = page.getByTestId('media-roots');
    await card.getByText(join(server.dataDir, 'media')).waitFor();
    const folder = join(server.work, 'videos');
    await card.getByLabel('Folder to add').fill(folder);
    await card.getByRole('button', { name: 'Add' }).click();
    await card.locator(`[data-root="${folder}"]`).waitFor();
    assert.deepEqual((await server.api('GET', '/api/v1/media-roots')).roots, [folder]);
    await card.getByLabel('Folder to add').fill('not/absolute');
    await card.getByRole('button', { name: 'Add' }).click();
    await card.getByRole('alert').waitFor();
    await card.locator(`[data-root="${folder}"]`).getByRole('button', { name: 'Remove' }).click();
    await card.locator(`[data-root="${folder}"]`).waitFor({ state: 'detached' });
    assert.deepEqual((await server.api('GET', '/api/v1/media-roots')).roots, []);
  });
});

describe('look', () => {
  it('does not break at 1024×700, in light or dark', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const screens = [
      ['#/history', 'history', '.task-row'],
      [`#/task/${seeded.ids.cat}`, 'task', '.scene video'],
      ['#/stats', 'statistics', '.chart canvas'],
      ['#/backups', 'backups', 'tr[data-backup]'],
      ['#/users', 'users', 'tr[data-user]'],
      ['#/maintenance', 'maintenance', '.bar-row'],
    ];
    for (const [hash, name, ready] of screens) {
      await page.goto(`${server.base}/${hash}`);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(300); // let late images and charts settle
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} overflows by ${overflow}px at 1024 wide`);
      await shot(`small-${name}`);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(245, 245, 247)', 'dark theme applied');
    await shot('dark-history');
    await page.goto(`${server.base}/#/task/${seeded.ids.boat}`);
    await page.getByTestId('prompt').waitFor();
    await shot('dark-task');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('speed', () => {
  it('shows search results soon after typing stops', async () => {
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    const terms = { english: 'paper boat', chinese: '橘猫', sceneEnglish: 'gutter', sceneChinese: '烟囱', none: 'zebra crossing' };
    const all = [];
    measured.searchMs = {};
    for (const [name, term] of Object.entries(terms)) {
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await search(term));
      measured.searchMs[name] = Math.round(percentile(runs, 50));
      all.push(...runs);
    }
    measured.searchMs.allP50 = Math.round(percentile(all, 50));
    measured.searchMs.allMax = Math.round(Math.max(...all));
    await page.getByRole('searchbox', { name: 'Search prompts, scenes and errors' }).fill('');
  });

  it('scrolls through 10,000 rows with short frames', async () => {
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    const target = Math.min(10_000, BULK - 20);
    const list = await page.evaluate(scrollFrames, { selector: '.vlist', target, rowHeight: 64 });
    assert.ok(list.rows >= target, `scrolled to row ${list.rows} in ${list.seconds}s`);
    await shot('history-scrolled');
    // The floor: the same browser scrolling a plain tall box at the same
    // speed, measured right after, so a busy machine shows in both.
    await page.evaluate((args) => {
      const box = document.createElement('div');
      box.style.cssText = 'position:fixed;inset:0;overflow:auto;z-index:99;background:#fff';
      box.innerHTML = `<div style="height:${args.target * 64 + 2000}px;background:linear-gradient(#fff,#888)"></div>`;
      box.className = 'floor';
      document.body.append(box);
    }, { target });
    const plain = await page.evaluate(scrollFrames, { selector: '.floor', target, rowHeight: 64 });
    const summary = (r) => ({
      frames: r.frames.length,
      p50Ms: Number(percentile(r.frames, 50).toFixed(1)),
      p99Ms: Number(percentile(r.frames, 99).toFixed(1)),
      over25Ms: r.frames.filter((f) => f > 25).length,
      longAnimationFrames: r.long.length,
    });
    measured.scroll = { rows: list.rows, seconds: Number(list.seconds.toFixed(2)), list: summary(list), plainBox: summary(plain) };
  });

  it('states the bundle size', () => {
    const dir = join(frontendDir, 'dist', 'assets');
    const size = { initial: [0, 0], total: [0, 0] };
    for (const f of readdirSync(dir)) {
      const body = readFileSync(join(dir, f));
      const both = [body.length, gzipSync(body).length];
      for (const k of f.startsWith('index-') ? ['initial', 'total'] : ['total']) {
        size[k] = size[k].map((v, i) => v + both[i]);
      }
    }
    const kb = (n) => Number((n / 1024).toFixed(1));
    measured.bundle = {
      initialKB: kb(size.initial[0]),
      initialGzipKB: kb(size.initial[1]),
      totalKB: kb(size.total[0]),
      totalGzipKB: kb(size.total[1]),
    };
    assert.ok(size.initial[0] > 0 && size.total[0] > size.initial[0]);
  });
});

describe('live', () => {
  it('shows a task the command line creates, within 2 s and without a reload', async () => {
    await page.goto(`${server.base}/?token=${server.ownerToken()}#/history`);
    await page.locator('.task-row').first().waitFor();
    await page.waitForTimeout(500); // the event stream is open
    const prompt = 'Made on the command line while the page is open';
    const id = server.cli('task', 'create', '--user', 'bo', '--prompt', prompt).trim();
    const created = Date.now();
    await page.locator(`.task-row[data-task-id="${id}"]`).waitFor({ timeout: 2000 });
    measured.cliToBrowserMs = Date.now() - created;
    assert.equal((await visiblePrompts())[0], prompt, 'it slides in at the top of the list');
    await shot('history-live');
  });
});
