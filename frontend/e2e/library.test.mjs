// End-to-end tests of the library in the web UI (stars, ratings, tags,
// collections, bulk actions, the trash with undo, run again and takes):
// Debian's chromium, driven by playwright-core, against the real reelvault
// binary in serve mode, seeded through its HTTP API. The window is 800 px
// wide, the narrowest the screens are made for.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, frontendDir, overflow, Server, signedInPage } from './harness.mjs';
import { PROMPTS, seed } from './seed.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WIDTH = 800;

let server, seeded, browser, page;

/** A signed-in page of the given language, 800 px wide. */
function openPage(locale) {
  return signedInPage(browser, server, { locale, width: WIDTH, height: 900 });
}


/** Saves a screenshot as name.png after checking that nothing sticks out sideways. */
async function shot(name, p = page) {
  const o = await p.evaluate(overflow);
  assert.ok(o.scrollWidth <= o.clientWidth && o.sticking.length === 0, `${name} sticks out at ${WIDTH} px: ${JSON.stringify(o)}`);
  await p.screenshot({ path: join(shots, `${name}.png`) });
}

/** The history row of a task. */
const row = (id) => page.locator(`.task-row[data-task-id="${id}"]`);

/** Waits until the history's heading counts n tasks (in English, "1 task"). */
async function countIs(n, p = page) {
  await p.locator('[data-testid="task-count"]').filter({ hasText: new RegExp(`^${n} ${n === 1 ? 'task' : 'tasks'}$`) }).waitFor();
}

/** Waits until the history lists exactly the tasks ids (in any order). */
async function rowsAre(ids) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('.task-row')].map((r) => r.dataset.taskId).sort();
    return JSON.stringify(got) === JSON.stringify([...want].sort());
  }, ids);
}

/** Loads the page afresh on a hash route (no filters kept from before) and waits for the screen. */
async function go(hash, ready) {
  await page.goto('about:blank');
  await page.goto(`${server.base}/${hash}`);
  await page.locator(ready).first().waitFor();
}

/** The toast's text once it says want. */
async function toastSays(want) {
  await page.locator('[data-testid="toast"]').filter({ hasText: want }).waitFor();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  seeded = await seed(server, { bulk: 20 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
    ],
  });
  page = await openPage('en');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// 20 bulk tasks and 7 named ones.
const ALL = 27;

describe('library', () => {
  it('stars, rates and tags tasks, and filters by them with counts that follow', async () => {
    const { boat, cat, failed } = seeded.ids;
    await go('#/history', '.task-row');
    await countIs(ALL);
    await row(boat).locator('[data-testid="star"]').click();
    await row(boat).locator('[data-testid="star"][aria-pressed="true"]').waitFor();
    await row(failed).locator('[data-testid="star"]').click();
    await row(failed).locator('[data-testid="star"][aria-pressed="true"]').waitFor();
    await row(boat).hover();
    await row(boat).getByRole('button', { name: 'Rate 4 of 5' }).click();
    await row(boat).locator('.rating[data-rating="4"]').waitFor();
    await row(cat).hover();
    await row(cat).getByRole('button', { name: 'Rate 2 of 5' }).click();
    await row(cat).locator('.rating[data-rating="2"]').waitFor();
    const stored = await server.api('GET', `/api/v1/tasks/${boat}`);
    assert.equal(stored.starred, true);
    assert.equal(stored.rating, 4);

    // Tags on the task page, Chinese included.
    await row(boat).locator('.prompt-line').click();
    await page.locator(`[data-screen="task"][data-task-id="${boat}"]`).waitFor();
    const card = page.locator('[data-testid="library-card"]');
    await card.locator('[data-testid="star"][aria-pressed="true"]').waitFor();
    for (const tag of ['夜景', 'b-roll']) {
      await card.getByRole('combobox', { name: 'Add a tag' }).fill(tag);
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.locator(`.tag-chip[data-tag="${tag}"]`).waitFor();
    }
    await card.getByRole('button', { name: 'Remove the tag “b-roll”' }).click();
    await card.locator('.tag-chip[data-tag="b-roll"]').waitFor({ state: 'detached' });
    assert.deepEqual((await server.api('GET', `/api/v1/tasks/${boat}`)).tags, ['夜景']);
    await shot('library-task');

    // Filters: starred, then at least 4, then the tag; the counts follow.
    await go('#/history', '.task-row');
    await row(boat).locator('.tag-chip[data-tag="夜景"]').waitFor();
    await page.getByTestId('filter-starred').click();
    await rowsAre([boat, failed]);
    await countIs(2);
    await page.getByTestId('filter-rating').selectOption('4');
    await rowsAre([boat]);
    await countIs(1);
    await page.getByTestId('filter-rating').selectOption('0');
    await page.getByTestId('filter-starred').click();
    await page.getByTestId('filter-tag').selectOption('夜景');
    await rowsAre([boat]);
    await countIs(1);
    await page.locator('.chip[data-status="completed"] .count').filter({ hasText: /^1$/ }).waitFor();
    await page.getByTestId('filter-starred').click();
    await page.getByTestId('filter-rating').selectOption('4');
    await countIs(1);
    // The filters live in the URL: a reload keeps them.
    const url = new URL(page.url());
    assert.match(url.hash, /starred=1/);
    assert.match(url.hash, /rating=4/);
    assert.match(url.hash, /tag=%E5%A4%9C%E6%99%AF/);
    await page.reload();
    await rowsAre([boat]);
    await countIs(1);
    assert.equal(await page.getByTestId('filter-starred').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByTestId('filter-rating').inputValue(), '4');
    await page.locator('.lib-filters .tag-chip[data-tag="夜景"]').waitFor();
    await shot('library-filters');

    // From the keyboard: x picks the selected row, again unpicks it.
    await page.locator('.vlist').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('x');
    await page.getByTestId('picked-count').filter({ hasText: '1 picked' }).waitFor();
    assert.equal(await row(boat).getByTestId('pick').isChecked(), true);
    await page.keyboard.press('x');
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
  });

  it('creates a collection and fills it from a bulk selection', async () => {
    await go('#/collections', '[data-screen="collections"]');
    await page.getByTestId('new-collection').fill('Trailer v2');
    await page.getByRole('button', { name: 'Create' }).click();
    const card = page.locator('.coll-card[data-collection="Trailer v2"]');
    await card.getByTestId('coll-count').filter({ hasText: '0 tasks' }).waitFor();

    await go('#/history', '.task-row');
    await countIs(ALL);
    const rows = page.locator('.task-row');
    const ids = await rows.evaluateAll((els) => els.slice(0, 4).map((e) => e.dataset.taskId));
    await rows.nth(0).getByTestId('pick').click();
    await rows.nth(3).getByTestId('pick').click({ modifiers: ['Shift'] });
    await page.getByTestId('picked-count').filter({ hasText: '4 picked' }).waitFor();
    await shot('library-bulk-bar');
    const bar = page.getByTestId('bulk-bar');
    // Export takes the picked tasks.
    const [download] = await Promise.all([page.waitForEvent('download'), bar.getByRole('button', { name: 'Export' }).click()]);
    const exported = readFileSync(await download.path(), 'utf8');
    for (const id of ids) assert.ok(exported.includes(id), `the export holds ${id}`);
    assert.ok(!exported.includes(seeded.ids.boat), 'the export holds only the picked tasks');
    await bar.getByRole('button', { name: 'Add to collection' }).click();
    await bar.getByRole('combobox', { name: 'Collection (a new name creates it)' }).fill('Trailer v2');
    await bar.getByRole('button', { name: 'Add to collection' }).click();
    await toastSays('4 of 4 tasks changed.');
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });

    // On a task page: add the task to the collection, make it the cover; take another out.
    const { boat } = seeded.ids;
    await go(`#/task/${boat}`, `[data-screen="task"][data-task-id="${boat}"]`);
    const mine = page.getByTestId('task-collections');
    await mine.getByRole('combobox', { name: 'Add to collection…' }).selectOption('Trailer v2');
    const chip = mine.locator('.tag-chip[data-collection="Trailer v2"]');
    await chip.waitFor();
    await chip.getByRole('button', { name: 'Make this task the cover of Trailer v2' }).click();
    await toastSays('This task is now the cover of Trailer v2.');
    const [coll] = (await server.api('GET', '/api/v1/collections')).collections;
    assert.equal(coll.cover_task_id, boat);
    await go(`#/task/${ids[1]}`, `[data-screen="task"][data-task-id="${ids[1]}"]`);
    await mine.locator('.tag-chip[data-collection="Trailer v2"]').getByRole('button', { name: 'Take this task out of Trailer v2' }).click();
    await mine.locator('.tag-chip[data-collection="Trailer v2"]').waitFor({ state: 'detached' });
    const members = [ids[0], ids[2], ids[3], boat];

    await go('#/collections', '.coll-card');
    await card.getByTestId('coll-count').filter({ hasText: '4 tasks' }).waitFor();
    await card.locator('.thumb:not(.blank)').waitFor();
    await shot('library-collections');
    await card.locator('.coll-name').click();
    await rowsAre(members);
    await countIs(4);
    assert.equal(await page.getByTestId('filter-collection').inputValue(), 'Trailer v2');

    // "All that match": pick one, then all four, and star them together.
    await page.locator('.task-row').first().getByTestId('pick').click();
    await page.getByTestId('select-all').filter({ hasText: 'Pick all 4 that match' }).click();
    await page.getByTestId('picked-count').filter({ hasText: '4 picked' }).waitFor();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Star', exact: true }).click();
    await toastSays('tasks changed.');
    // Tag them all, then untag one.
    await page.locator('.task-row').first().getByTestId('pick').click();
    await page.getByTestId('select-all').click();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Tag', exact: true }).click();
    await page.getByTestId('bulk-bar').getByRole('combobox', { name: 'Tag' }).fill('预告');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Tag', exact: true }).click();
    await toastSays('4 of 4 tasks changed.');
    await page.getByTestId('filter-tag').locator('option', { hasText: '预告 (4)' }).waitFor({ state: 'attached' });
    await page.locator('.task-row').last().getByTestId('pick').click();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Untag' }).click();
    await page.getByTestId('bulk-bar').getByRole('combobox', { name: 'Tag' }).fill('预告');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Untag' }).click();
    await toastSays('1 of 1 task changed.');
    await page.getByTestId('filter-tag').locator('option', { hasText: '预告 (3)' }).waitFor({ state: 'attached' });
    const starred = await server.api('GET', `/api/v1/tasks?collection=${encodeURIComponent('Trailer v2')}&starred=true`);
    assert.equal(starred.tasks.length, 4);

    // In the collection's list, picked tasks can leave it.
    const leaving = await page.locator('.task-row').first().getAttribute('data-task-id');
    await page.locator('.task-row').first().getByTestId('pick').click();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Remove from Trailer v2' }).click();
    await toastSays('1 of 1 task changed.');
    await row(leaving).waitFor({ state: 'detached' });
    await countIs(3);
  });

  it('follows library changes made elsewhere, live', async () => {
    const { running } = seeded.ids;
    await go('#/history', '.task-row');
    await countIs(ALL);
    await server.api('PUT', `/api/v1/tasks/${running}/star`, { starred: true });
    await row(running).locator('[data-testid="star"][aria-pressed="true"]').waitFor();
    await server.api('POST', `/api/v1/tasks/${running}/tags`, { add: ['实时'], remove: [] });
    await row(running).locator('.tag-chip[data-tag="实时"]').waitFor();
    await page.getByTestId('filter-tag').locator('option', { hasText: '实时 (1)' }).waitFor({ state: 'attached' });
    await server.api('POST', '/api/v1/tasks/trash', { task_ids: [running] });
    await row(running).waitFor({ state: 'detached' });
    await countIs(ALL - 1);
    await server.api('POST', '/api/v1/trash/restore', { task_ids: [running] });
    await row(running).waitFor();
    await countIs(ALL);

    // The grid view stars too (and the list view comes back for the tests after).
    const { cat } = seeded.ids;
    await page.locator('[data-view="grid"]').click();
    const tile = page.locator(`.grid-tile[data-task-id="${cat}"]`);
    await tile.getByTestId('star').click();
    await tile.locator('[data-testid="star"][aria-pressed="true"]').waitFor();
    assert.equal(await page.evaluate(() => location.hash.startsWith('#/history')), true, 'starring a tile does not open the task');
    assert.equal((await server.api('GET', `/api/v1/tasks/${cat}`)).starred, true);
    await tile.getByTestId('star').click();
    await tile.locator('[data-testid="star"][aria-pressed="false"]').waitFor();
    await page.locator('[data-view="list"]').click();
    await page.locator('.task-row').first().waitFor();
  });

  it('trashes with an undo toast, restores from the trash view and empties it', async () => {
    await go('#/history', '.task-row');
    await countIs(ALL);
    const rows = page.locator('.task-row');
    const two = await rows.evaluateAll((els) => els.slice(-2).map((e) => e.dataset.taskId));
    for (const id of two) await row(id).getByTestId('pick').click();
    await page.getByTestId('bulk-bar').getByTestId('trash').click();
    await toastSays('2 tasks moved to the trash.');
    await countIs(ALL - 2);
    for (const id of two) await row(id).waitFor({ state: 'detached' });
    await shot('library-undo-toast');
    await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
    await toastSays('2 tasks restored.');
    await countIs(ALL);
    await row(two[0]).waitFor();

    // Again, then restore one from the trash view and empty it.
    for (const id of two) await row(id).getByTestId('pick').click();
    await page.getByTestId('bulk-bar').getByTestId('trash').click();
    await countIs(ALL - 2);
    await go('#/trash', '.trash-row');
    await page.getByTestId('trash-count').filter({ hasText: '2 tasks' }).waitFor();
    await shot('library-trash');
    await page.locator(`.trash-row[data-task-id="${two[0]}"]`).getByRole('button', { name: 'Restore' }).click();
    await page.locator(`.trash-row[data-task-id="${two[0]}"]`).waitFor({ state: 'detached' });
    await page.getByTestId('trash-count').filter({ hasText: /^1 task$/ }).waitFor();
    await page.getByTestId('empty-trash').click();
    const dialog = page.getByRole('dialog', { name: 'Empty the trash?' });
    await dialog.getByText('The 1 task in the trash will be deleted for good.').waitFor();
    await shot('library-empty-confirm');
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await page.locator('[data-empty="trash"]').waitFor();
    await assert.rejects(server.api('GET', `/api/v1/tasks/${two[1]}`), (e) => e.status === 404);
    await go('#/history', '.task-row');
    await countIs(ALL - 1);

    // From a task page, with the choice to take the files along.
    await go(`#/task/${seeded.ids.cancelled}`, '[data-screen="task"][data-task-id]');
    await page.getByRole('button', { name: 'With files…' }).click();
    const ask = page.getByRole('dialog', { name: 'Move to the trash with the video files?' });
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('trash').click();
    await page.getByTestId('in-trash').waitFor();
    await page.getByTestId('in-trash').getByRole('button', { name: 'Restore' }).click();
    await page.getByTestId('in-trash').waitFor({ state: 'detached' });
  });

  it('runs a task again with an edited prompt and compares the takes side by side', async () => {
    const { boat } = seeded.ids;
    await go(`#/task/${boat}`, `[data-screen="task"][data-task-id="${boat}"]`);
    await page.getByTestId('rerun').click();
    const dialog = page.getByRole('dialog', { name: 'Run again' });
    await dialog.getByTestId('rerun-prompt').fill(`${PROMPTS.boat}, take two`);
    await dialog.getByRole('textbox', { name: 'Scene 2' }).fill('The boat spins in a whirlpool of neon light');
    await shot('library-rerun-dialog');
    await dialog.getByRole('button', { name: 'Create the new task' }).click();
    await page.waitForFunction((boat) => /^#\/task\/./.test(location.hash) && !location.hash.includes(boat), boat);
    const rerunId = decodeURIComponent(new URL(page.url()).hash.replace('#/task/', ''));
    await page.getByTestId('prompt').filter({ hasText: 'take two' }).waitFor();
    const rerun = await server.api('GET', `/api/v1/tasks/${rerunId}`);
    assert.equal(rerun.rerun_of, boat);
    assert.equal(rerun.status, 'pending');
    assert.equal(rerun.scripts.find((s) => s.scene_number === 2).description, 'The boat spins in a whirlpool of neon light');

    // The pipeline renders the new take.
    const file = join(server.work, 'videos', 'boat-take2.webm');
    copyFileSync(join(frontendDir, 'e2e', 'fixtures', 'final.webm'), file);
    await server.api('POST', `/api/v1/tasks/${rerunId}/start`);
    await server.api('POST', `/api/v1/tasks/${rerunId}/complete`, { final_video_path: file });

    const takes = page.getByTestId('takes');
    await takes.locator('li').nth(1).waitFor();
    assert.equal(await takes.locator('li').count(), 2);
    await page.locator('[data-screen="task"] .card h2').filter({ hasText: 'Final video' }).waitFor();
    await takes.getByTestId('compare-toggle').click();
    const compare = page.getByTestId('compare');
    const videos = compare.locator('video');
    await videos.nth(1).waitFor();
    assert.equal(await videos.count(), 2);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare"] video')].every((v) => v.readyState >= 1));

    // One button plays both; pausing one pauses the other; seeking one moves both.
    await compare.getByTestId('compare-play').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare"] video')].every((v) => !v.paused));
    await videos.nth(0).evaluate((v) => v.pause());
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare"] video')].every((v) => v.paused));
    await videos.nth(1).evaluate((v) => (v.currentTime = 2));
    await page.waitForFunction(() => {
      const [a, b] = [...document.querySelectorAll('[data-testid="compare"] video')];
      return Math.abs(a.currentTime - 2) < 0.3 && Math.abs(b.currentTime - 2) < 0.3;
    });
    await compare.getByTestId('compare-seek').evaluate((el) => {
      el.value = '1';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare"] video')].every((v) => Math.abs(v.currentTime - 1) < 0.3));
    await takes.scrollIntoViewIfNeeded();
    await shot('library-takes-compare');
  });

  it('speaks Chinese in a zh-CN browser', async () => {
    const zh = await openPage('zh-CN');
    try {
      await zh.goto(`${server.base}/#/history`);
      await zh.locator('.task-row').first().waitFor();
      const nav = await zh.locator('.nav-item').allTextContents();
      assert.ok(nav.includes('合集') && nav.includes('回收站'), `nav: ${nav}`);
      await zh.getByTestId('filter-starred').filter({ hasText: '已加星标' }).waitFor();
      assert.equal(await zh.getByTestId('filter-rating').locator('option').first().textContent(), '任意评分');
      await zh.locator('.task-row').first().getByRole('checkbox', { name: '选择此任务（按住 Shift 选择一段）' }).click();
      await zh.getByTestId('picked-count').filter({ hasText: '已选 1 个' }).waitFor();
      await zh.getByTestId('bulk-bar').getByRole('button', { name: '加入合集' }).waitFor();
      await zh.getByTestId('bulk-bar').getByTestId('trash').filter({ hasText: '移到回收站' }).waitFor();
      await shot('library-zh-CN-history', zh);

      await zh.goto(`${server.base}/#/task/${seeded.ids.boat}`);
      await zh.locator('[data-testid="library-card"] h2').filter({ hasText: '素材库' }).waitFor();
      await zh.getByTestId('rerun').filter({ hasText: '重新生成' }).waitFor();
      await zh.getByTestId('takes').locator('h2').filter({ hasText: '版本（2）' }).waitFor();
      await zh.getByTestId('takes').getByText('原始版本').waitFor();
      await shot('library-zh-CN-task', zh);

      await zh.goto(`${server.base}/#/collections`);
      await zh.locator('[data-screen="collections"] h1').filter({ hasText: '合集' }).waitFor();
      await zh.locator('.coll-card').getByRole('button', { name: '重命名' }).waitFor();
      await shot('library-zh-CN-collections', zh);

      // Rename and delete a collection.
      await zh.getByTestId('new-collection').fill('草稿');
      await zh.getByRole('button', { name: '新建' }).click();
      const draft = zh.locator('.coll-card[data-collection="草稿"]');
      await draft.getByRole('button', { name: '重命名' }).click();
      await draft.getByRole('textbox', { name: '新名称' }).fill('草稿 二');
      await draft.getByRole('button', { name: '保存' }).click();
      const renamed = zh.locator('.coll-card[data-collection="草稿 二"]');
      await renamed.waitFor();
      await renamed.getByRole('button', { name: '删除合集 草稿 二' }).click();
      await zh.getByRole('dialog', { name: '删除合集 草稿 二' }).getByRole('button', { name: '删除合集' }).click();
      await renamed.waitFor({ state: 'detached' });
      assert.deepEqual((await server.api('GET', '/api/v1/collections')).collections.map((c) => c.name), ['Trailer v2']);

      await zh.goto(`${server.base}/#/trash`);
      await zh.locator('[data-screen="trash"] h1').filter({ hasText: '回收站' }).waitFor();
      await zh.getByText('回收站是空的。').waitFor();
      await zh.getByTestId('empty-trash').filter({ hasText: '清空回收站' }).waitFor();
      await shot('library-zh-CN-trash', zh);
    } finally {
      await zh.context().close();
    }
  });
});
