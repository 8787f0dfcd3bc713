// End-to-end tests of the library's later pieces in the web UI: rating the
// picked tasks at once, picking in the grid view, exporting a selection or
// all a filter matches, the trash's retention, adding and removing scenes
// when running a task again, and plural forms. Debian's chromium, driven by
// playwright-core, against the real reelvault binary in serve mode, seeded
// through its HTTP API; screenshots at 1280 and 800 px.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, overflow, Server, signedInPage } from './harness.mjs';
import { seed } from './seed.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WIDTHS = [1280, 800];

let server, seeded, browser, page;

/** A signed-in page of the given language and width that accepts downloads. */
function openPage(locale, width = 1280) {
  return signedInPage(browser, server, { locale, width, height: 900 });
}


/** Screenshots the page at every width as name-WIDTH.png, checking that nothing sticks out sideways. */
async function shots2(name, p = page) {
  const before = p.viewportSize();
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: before.height });
    await p.waitForTimeout(150); // one layout after the resize
    const o = await p.evaluate(overflow);
    assert.ok(o.scrollWidth <= o.clientWidth && o.sticking.length === 0, `${name} sticks out at ${width} px: ${JSON.stringify(o)}`);
    await p.screenshot({ path: join(shots, `${name}-${width}.png`) });
  }
  await p.setViewportSize(before);
}

const row = (id) => page.locator(`.task-row[data-task-id="${id}"]`);
const tile = (id) => page.locator(`.grid-tile[data-task-id="${id}"]`);
const bar = () => page.getByTestId('bulk-bar');

/** Loads the page afresh on a hash route and waits for the screen. */
async function go(hash, ready, p = page) {
  await p.goto('about:blank');
  await p.goto(`${server.base}/${hash}`);
  await p.locator(ready).first().waitFor();
}

async function toastSays(want, p = page) {
  await p.locator('[data-testid="toast"]').filter({ hasText: want }).waitFor();
}

/** Waits until the history's heading says exactly text. */
async function countSays(text, p = page) {
  await p.locator('[data-testid="task-count"]').filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}

/** The task IDs an export file holds. */
function exportedIds(path) {
  return JSON.parse(readFileSync(path, 'utf8')).tasks.map((t) => t.task_id).sort();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  seeded = await seed(server, { bulk: 12 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await openPage('en');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// 12 bulk tasks and 7 named ones.
const ALL = 19;

describe('library UI', () => {
  it('rates the picked tasks, and all a filter matches, at once; clears their rating', async () => {
    await go('#/history', '.task-row');
    await countSays(`${ALL} tasks`);
    const rows = page.locator('.task-row');
    const three = await rows.evaluateAll((els) => els.slice(0, 3).map((e) => e.dataset.taskId));
    await rows.nth(0).getByTestId('pick').click();
    await rows.nth(2).getByTestId('pick').click({ modifiers: ['Shift'] });
    await page.getByTestId('picked-count').filter({ hasText: '3 picked' }).waitFor();
    await bar().getByRole('button', { name: 'Rate', exact: true }).click();
    await bar().getByTestId('bulk-rate').waitFor();
    await bar().getByRole('button', { name: 'Rate the picked tasks 4 of 5' }).hover();
    await shots2('libui-bulk-rate');
    await bar().getByRole('button', { name: 'Rate the picked tasks 4 of 5' }).click();
    await toastSays('3 of 3 tasks changed.');
    for (const id of three) {
      await row(id).locator('.rating[data-rating="4"]').waitFor();
      assert.equal((await server.api('GET', `/api/v1/tasks/${id}`)).rating, 4);
    }

    // Every task the search matches: one, so the English is singular.
    await page.getByRole('searchbox', { name: 'Search prompts, scenes and errors' }).fill('astronaut');
    await countSays('1 task');
    await row(seeded.ids.failed).getByTestId('pick').click();
    await bar().getByRole('button', { name: 'Rate', exact: true }).click();
    await bar().getByRole('button', { name: 'Rate the picked tasks 2 of 5' }).click();
    await toastSays('1 of 1 task changed.');
    assert.equal((await server.api('GET', `/api/v1/tasks/${seeded.ids.failed}`)).rating, 2);

    // All that match a filter (rated 4 or more), then cleared.
    await go('#/history?rating=4', '.task-row');
    await countSays('3 tasks');
    await rows.first().getByTestId('pick').click();
    await page.getByTestId('select-all').filter({ hasText: 'Pick all 3 that match' }).click();
    await bar().getByRole('button', { name: 'Rate', exact: true }).click();
    await bar().getByRole('button', { name: 'Clear their rating' }).click();
    await toastSays('3 of 3 tasks changed.');
    for (const id of three) assert.equal((await server.api('GET', `/api/v1/tasks/${id}`)).rating ?? 0, 0);
    await page.locator('[data-empty="filtered"]').waitFor();
  });

  it('picks in the grid view: a tick box picks, Shift picks a range, the card opens the task', async () => {
    await go('#/history', '.task-row');
    await page.locator('[data-view="grid"]').click();
    const tiles = page.locator('.grid-tile');
    await tiles.first().waitFor();
    const four = await tiles.evaluateAll((els) => els.slice(0, 4).map((e) => e.dataset.taskId));
    await tiles.nth(0).hover();
    await tiles.nth(0).getByTestId('pick').click();
    await page.getByTestId('picked-count').filter({ hasText: '1 picked' }).waitFor();
    assert.ok(page.url().includes('#/history'), 'a tick box does not open the task');
    await tiles.nth(3).getByTestId('pick').click({ modifiers: ['Shift'] });
    await page.getByTestId('picked-count').filter({ hasText: '4 picked' }).waitFor();
    for (const id of four) assert.equal(await tile(id).getByTestId('pick').isChecked(), true);
    assert.equal(await tiles.nth(4).getByTestId('pick').isChecked(), false);
    await shots2('libui-grid-picked');

    // The bulk bar acts on the tiles picked.
    await bar().getByRole('button', { name: 'Star', exact: true }).click();
    await toastSays('4 of 4 tasks changed.');
    for (const id of four) assert.equal((await server.api('GET', `/api/v1/tasks/${id}`)).starred, true);
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });

    // Unpicking one again; then a click on the card itself opens its task.
    await tiles.nth(1).hover();
    await tiles.nth(1).getByTestId('pick').click();
    await tiles.nth(1).getByTestId('pick').click();
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
    await tile(four[2]).locator('.prompt-line').click();
    await page.locator(`[data-screen="task"][data-task-id="${four[2]}"]`).waitFor();
    await go('#/history', '.grid-tile');
    await page.locator('[data-view="list"]').click();
    await page.locator('.task-row').first().waitFor();
  });

  it('exports the picked tasks, and every task a filter matches, as a download', async () => {
    await go('#/history', '.task-row');
    const rows = page.locator('.task-row');
    const two = await rows.evaluateAll((els) => els.slice(1, 3).map((e) => e.dataset.taskId));
    for (const id of two) await row(id).getByTestId('pick').click();
    const [download] = await Promise.all([page.waitForEvent('download'), bar().getByTestId('export').click()]);
    assert.equal(download.suggestedFilename(), 'reelvault-export.json');
    assert.deepEqual(exportedIds(await download.path()), [...two].sort());
    await toastSays('Exported 2 tasks to reelvault-export.json.');

    // All the tasks a filter matches, loaded or not: the bulk ones (a search).
    await go('#/history?q=Bulk', '.task-row');
    await countSays('12 tasks');
    await rows.first().getByTestId('pick').click();
    await page.getByTestId('select-all').click();
    await page.getByTestId('picked-count').filter({ hasText: '12 picked' }).waitFor();
    const [all] = await Promise.all([page.waitForEvent('download'), bar().getByTestId('export').click()]);
    const ids = exportedIds(await all.path());
    assert.equal(ids.length, 12);
    const bulk = (await server.api('GET', '/api/v1/tasks?search=Bulk&limit=100')).tasks.map((t) => t.task_id).sort();
    assert.deepEqual(ids, bulk);
    await toastSays('Exported 12 tasks');
  });

  it('says how long the trash keeps tasks and lets the owner change it', async () => {
    await server.api('POST', '/api/v1/tasks/trash', { task_ids: [seeded.ids.cancelled] });
    await go('#/trash', '.trash-row');
    await page.getByTestId('trash-count').filter({ hasText: /^1 task$/ }).waitFor();
    const kept = page.getByTestId('kept-for');
    await kept.filter({ hasText: 'Trashed tasks are kept for 30 days, then deleted for good.' }).waitFor();

    // Out of bounds: refused with the server's sentence, nothing changed.
    for (const bad of ['0', '3651', '']) {
      await page.getByTestId('change-retention').click();
      await page.getByTestId('retention-days').fill(bad);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('.trash-retention [role="alert"]').filter({ hasText: bad === '' ? 'trash_retention_days' : `from 1 to 3650 days, not ${bad}` }).waitFor();
      if (bad === '0') await shots2('libui-trash-retention-refused');
      await page.locator('.trash-retention').getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await server.api('GET', '/api/v1/trash/retention')).trash_retention_days, 30);
    }

    await page.getByTestId('change-retention').click();
    await page.getByTestId('retention-days').fill('1');
    await shots2('libui-trash-retention-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await toastSays('Trashed tasks are now kept for 1 day.');
    await kept.filter({ hasText: 'Trashed tasks are kept for 1 day, then deleted for good.' }).waitFor();
    assert.equal((await server.api('GET', '/api/v1/trash/retention')).trash_retention_days, 1);
    await shots2('libui-trash-retention');

    // In Chinese.
    const zh = await openPage('zh-CN');
    try {
      await go('#/trash', '.trash-row', zh);
      await zh.getByTestId('kept-for').filter({ hasText: '回收站中的任务保留 1 天，之后将被永久删除。' }).waitFor();
      await zh.getByTestId('trash-count').filter({ hasText: '共 1 个任务' }).waitFor();
      await zh.getByTestId('change-retention').filter({ hasText: '修改' }).click();
      await zh.getByTestId('retention-days').fill('45');
      await zh.getByRole('button', { name: '保存' }).click();
      await zh.getByTestId('kept-for').filter({ hasText: '回收站中的任务保留 45 天' }).waitFor();
      await shots2('libui-zh-CN-trash-retention', zh);
    } finally {
      await zh.context().close();
    }
    assert.equal((await server.api('GET', '/api/v1/trash/retention')).trash_retention_days, 45);
    await server.api('PUT', '/api/v1/trash/retention', { trash_retention_days: 30 });
    await server.api('POST', '/api/v1/trash/restore', { task_ids: [seeded.ids.cancelled] });
  });

  it('adds and removes scenes when running a task again; one scene always stays', async () => {
    const { boat } = seeded.ids;
    await go(`#/task/${boat}`, `[data-screen="task"][data-task-id="${boat}"]`);
    await page.getByTestId('rerun').click();
    const dialog = page.getByRole('dialog', { name: 'Run again' });
    await dialog.getByTestId('rerun-add-scene').click();
    const create = dialog.getByRole('button', { name: 'Create the new task' });
    assert.equal(await create.isDisabled(), true, 'a new scene needs a description first');
    await dialog.getByRole('textbox', { name: 'Scene 3' }).fill('The boat sails out into a harbour at night');
    await dialog.getByRole('button', { name: 'Remove scene 1' }).click();
    // Scenes are numbered 1…n again: the old scene 2 is now scene 1.
    assert.match(await dialog.getByRole('textbox', { name: 'Scene 1' }).inputValue(), /gutter stream/);
    assert.equal(await dialog.getByRole('textbox', { name: 'Scene 2' }).inputValue(), 'The boat sails out into a harbour at night');
    await shots2('libui-rerun-scenes');
    await dialog.getByRole('button', { name: 'Remove scene 2' }).click();
    assert.equal(await dialog.getByRole('button', { name: 'Remove scene 1' }).isDisabled(), true, 'the last scene cannot go');
    await dialog.getByTestId('rerun-add-scene').click();
    await dialog.getByRole('textbox', { name: 'Scene 2' }).fill('Dawn breaks over the empty street');
    await create.click();
    await page.waitForFunction((boat) => /^#\/task\/./.test(location.hash) && !location.hash.includes(boat), boat);
    const rerunId = decodeURIComponent(new URL(page.url()).hash.replace('#/task/', ''));
    const rerun = await server.api('GET', `/api/v1/tasks/${rerunId}`);
    assert.equal(rerun.rerun_of, boat);
    assert.equal(rerun.total_scenes, 2);
    assert.deepEqual(rerun.scripts.map((s) => [s.scene_number, s.description]), [
      [1, 'The boat rides the gutter stream past glowing shop signs'],
      [2, 'Dawn breaks over the empty street'],
    ]);

    // In Chinese.
    const zh = await openPage('zh-CN', 800);
    try {
      await go(`#/task/${boat}`, `[data-screen="task"][data-task-id="${boat}"]`, zh);
      await zh.getByTestId('rerun').click();
      const d = zh.getByRole('dialog');
      await d.getByTestId('rerun-add-scene').filter({ hasText: '添加分镜' }).click();
      await d.getByRole('button', { name: '删除分镜 3' }).waitFor();
      await shots2('libui-zh-CN-rerun-scenes', zh);
    } finally {
      await zh.context().close();
    }
  });

  it('speaks the new pieces in Chinese: rating and exporting the picked tasks', async () => {
    const zh = await openPage('zh-CN');
    try {
      await go('#/history', '.task-row', zh);
      await zh.locator('.task-row').first().getByTestId('pick').click();
      const b = zh.getByTestId('bulk-bar');
      await b.getByRole('button', { name: '评分', exact: true }).click();
      await b.getByRole('button', { name: '将所选任务评为 5 星' }).click();
      await toastSays('1 个任务中有 1 个已更改。', zh);
      await zh.locator('.task-row').first().getByTestId('pick').click();
      const [download] = await Promise.all([zh.waitForEvent('download'), b.getByTestId('export').filter({ hasText: '导出' }).click()]);
      assert.equal(exportedIds(await download.path()).length, 1);
      await toastSays('已将 1 个任务导出到 reelvault-export.json。', zh);
      // The export leaves the pick; the grid shows it, and picks more.
      await zh.locator('[data-view="grid"]').click();
      const tiles = zh.locator('.grid-tile');
      assert.equal(await tiles.first().getByTestId('pick').isChecked(), true);
      await tiles.nth(1).getByRole('checkbox', { name: '选择此任务（按住 Shift 选择一段）' }).click();
      await zh.getByTestId('picked-count').filter({ hasText: '已选 2 个' }).waitFor();
      await shots2('libui-zh-CN-grid', zh);
      await zh.locator('[data-view="list"]').click();
    } finally {
      await zh.context().close();
    }
  });
});
