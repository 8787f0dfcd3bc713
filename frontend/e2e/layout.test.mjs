// End-to-end tests of the interface language, small windows and the
// interactions a person expects: Debian's chromium, driven by playwright-core,
// against the real reelvault binary in serve mode, seeded through its API.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, overflow, Server, signedInPage } from './harness.mjs';
import { PROMPTS, seed } from './seed.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server, seeded, browser;

/** The screens each size and language is checked on, with what shows they are ready. */
const SCREENS = [
  { name: 'history', hash: '#/history', ready: '.task-row' },
  { name: 'task', hash: () => `#/task/${seeded.ids.boat}`, ready: '[data-screen="task"][data-task-id] .scene' },
  { name: 'collections', hash: '#/collections', ready: '[data-screen="collections"] [data-empty="collections"]' },
  { name: 'trash', hash: '#/trash', ready: '[data-screen="trash"] [data-empty="trash"]' },
  { name: 'stats', hash: '#/stats', ready: '.chart canvas' },
  { name: 'backups', hash: '#/backups', ready: '[data-screen="backups"] table.data' },
  { name: 'maintenance', hash: '#/maintenance', ready: '[data-testid="db-size"]' },
  { name: 'users', hash: '#/users', ready: 'tr[data-user="ann"]' },
];

/** A signed-in page in a new context of the given language and width. */
function openPage({ locale, width, height = 760 }) {
  return signedInPage(browser, server, { locale, width, height });
}


before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  seeded = await seed(server, { bulk: 40 });
  // A backup, so the backups screen has a table to fit.
  await server.api('POST', '/api/v1/backups');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Chinese interface', () => {
  it('follows a zh-CN browser: screens, statuses, numbers and dates in Chinese', async () => {
    const page = await openPage({ locale: 'zh-CN', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await page.locator('h1').first().innerText(), '历史');
    assert.equal(await page.locator('.chip[data-status="failed"]').innerText().then((s) => s.split('\n')[0].trim()), '失败');
    await page.waitForFunction(() => /^共 [\d,]+ 个任务$/.test(document.querySelector('[data-testid="task-count"]')?.textContent ?? ''));
    assert.match(await page.locator('.list-head').innerText(), /提示词/);
    assert.match(await page.locator('.sidebar').innerText(), /统计/);
    // The task page: Chinese dates (2026年12月5日 09:05) and labels.
    await page.goto(`${server.base}/#/task/${seeded.ids.boat}`);
    await page.locator('[data-screen="task"][data-task-id] .kv').first().waitFor();
    assert.match(await page.locator('.kv').first().innerText(), /创建\s+\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
    assert.match(await page.locator('.timeline').innerText(), /已创建/);
    await page.screenshot({ path: join(shots, 'zh-task.png') });
    // Statistics: axis ticks carry units.
    await page.goto(`${server.base}/#/stats`);
    await page.locator('.chart canvas').first().waitFor();
    assert.equal(await page.locator('[data-screen="stats"] h1').innerText(), '统计');
    assert.match(await page.locator('.chart').nth(2).locator('.u-legend').innerText(), /分钟/, 'video minutes carry their unit');
    assert.match(await page.locator('.tile[data-tile="Tasks"] .hint').innerText(), /个已完成/);
    await page.context().close();
  });

  it('maps error codes to Chinese titles and keeps the server’s sentence as detail', async () => {
    const page = await openPage({ locale: 'zh-CN', width: 1280 });
    await page.goto(`${server.base}/#/task/no-such-task`);
    const alert = page.locator('[role="alert"][data-code="not_found"]');
    await alert.waitFor();
    assert.equal(await alert.locator('.code').innerText(), '它已不存在');
    await page.context().close();
  });

  it('lets a Chinese username through to the server', async () => {
    const page = await openPage({ locale: 'zh-CN', width: 1280 });
    await page.goto(`${server.base}/#/users`);
    const form = page.getByRole('form', { name: '创建用户' });
    await form.getByLabel('名称').fill('李明');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/users'));
    await form.getByRole('button', { name: '创建用户' }).click();
    assert.equal(JSON.parse((await sent).postData()).username, '李明', 'the form does not refuse or alter the name');
    // Until the server accepts such names it answers "invalid": shown with a Chinese title.
    await page.locator('tr[data-user="李明"], form [role="alert"][data-code="invalid"]').first().waitFor();
    if (await form.locator('[role="alert"]').count()) assert.equal(await form.locator('[role="alert"] .code').innerText(), '请检查输入');
    await page.context().close();
  });

  it('switches language with one click and remembers it over a reload', async () => {
    const page = await openPage({ locale: 'en-US', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    assert.equal(await page.locator('h1').first().innerText(), 'History');
    await page.getByTestId('language').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === '历史');
    await page.reload();
    await page.locator('.task-row').first().waitFor();
    assert.equal(await page.locator('h1').first().innerText(), '历史', 'the pick outlives a reload');
    await page.getByTestId('language').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'History');
    await page.context().close();
  });
});

describe('small windows', () => {
  for (const locale of ['en-US', 'zh-CN']) {
    for (const width of [800, 420]) {
      it(`fits ${width} px in ${locale} on every screen, with no horizontal scrolling`, async () => {
        const page = await openPage({ locale, width, height: width === 420 ? 860 : 700 });
        for (const s of SCREENS) {
          await page.goto(`${server.base}/${typeof s.hash === 'function' ? s.hash() : s.hash}`);
          await page.locator(s.ready).first().waitFor();
          await page.waitForTimeout(150); // charts size themselves a frame later
          const o = await page.evaluate(overflow);
          await page.screenshot({ path: join(shots, `fit-${width}-${locale}-${s.name}.png`), fullPage: false });
          assert.ok(o.scrollWidth <= o.clientWidth, `${s.name} at ${width} px scrolls sideways: ${JSON.stringify(o)}`);
          assert.deepEqual(o.sticking, [], `${s.name} at ${width} px: elements cut off at the right edge`);
        }
        await page.context().close();
      });
    }
  }

  it('collapses the sidebar to icons at 800 px, still named for screen readers', async () => {
    const page = await openPage({ locale: 'en-US', width: 800 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    const sidebar = await page.locator('.sidebar').boundingBox();
    assert.ok(sidebar.width <= 64, `sidebar ${sidebar.width} px wide`);
    assert.equal(await page.locator('.nav-item .label').first().isVisible(), false);
    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.locator('[data-screen="stats"]').waitFor();
    await page.context().close();
  });
});

describe('interactions', () => {
  it('opens a task with a single click', async () => {
    const page = await openPage({ locale: 'en-US', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row', { hasText: PROMPTS.boat }).click();
    await page.locator(`[data-screen="task"][data-task-id="${seeded.ids.boat}"]`).waitFor();
    assert.equal(new URL(page.url()).hash, `#/task/${seeded.ids.boat}`);
    await page.context().close();
  });

  it('works from the keyboard right after the page loads: arrows move, Enter opens', async () => {
    const page = await openPage({ locale: 'en-US', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    await page.waitForFunction(() => document.activeElement?.classList.contains('vlist'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const second = await page.locator('.task-row[aria-selected="true"]').getAttribute('data-task-id');
    assert.equal(await page.locator('.task-row').nth(1).getAttribute('data-task-id'), second);
    await page.keyboard.press('Enter');
    await page.locator(`[data-screen="task"][data-task-id="${second}"]`).waitFor();
    // Back: the history has the focus and the selection again.
    await page.goBack();
    await page.waitForFunction(() => document.activeElement?.classList.contains('vlist'));
    assert.equal(await page.locator('.task-row[aria-selected="true"]').getAttribute('data-task-id'), second);
    await page.context().close();
  });

  it('keeps filters, search and the selected task in the URL, over a reload', async () => {
    const page = await openPage({ locale: 'en-US', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    await page.locator('.chip[data-status="completed"]').click();
    await page.getByRole('searchbox').fill('paper');
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 1);
    await page.locator('.vlist').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => location.hash.includes('sel='));
    const hash = new URL(page.url()).hash;
    const q = new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
    assert.deepEqual([q.get('status'), q.get('q'), q.get('sel')], ['completed', 'paper', seeded.ids.boat]);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 1);
    assert.equal(await page.locator('.chip[data-status="completed"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('searchbox').inputValue(), 'paper');
    await page.waitForFunction((id) => document.querySelector('.task-row[aria-selected="true"]')?.dataset.taskId === id, seeded.ids.boat);
    // A bookmark with a user filter (a Chinese name too) opens filtered.
    await page.goto(`${server.base}/#/history?user=bo&status=failed`);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length === 1);
    assert.deepEqual(await page.locator('.task-row .prompt-line').allInnerTexts(), [PROMPTS.failed]);
    await page.context().close();
  });

  it('shows empty date fields as empty, with a placeholder instead of a greyed date', async () => {
    const page = await openPage({ locale: 'zh-CN', width: 1280 });
    await page.goto(`${server.base}/#/history`);
    await page.locator('.task-row').first().waitFor();
    const from = page.getByLabel('创建日期起');
    assert.equal(await from.inputValue(), '');
    const look = () => from.evaluate((el) => ({
      mask: getComputedStyle(el).color,
      placeholder: el.parentElement.querySelector('.date-placeholder')?.textContent,
    }));
    assert.deepEqual(await look(), { mask: 'rgba(0, 0, 0, 0)', placeholder: '开始日期' });
    await page.locator('.filters').screenshot({ path: join(shots, 'date-fields-empty.png') });
    await from.fill('2026-01-02');
    await page.waitForFunction(() => location.hash.includes('from=2026-01-02'));
    assert.equal((await look()).placeholder, undefined, 'a set date shows itself, no placeholder');
    assert.notEqual((await look()).mask, 'rgba(0, 0, 0, 0)');
    await page.context().close();
  });
});
