// End-to-end test of search results that say why they matched: failed tasks
// found by the words of their error messages, with the matching words
// highlighted in the history row, in English and in Chinese. Debian's
// chromium, driven by playwright-core, against the real reelvault binary.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactsDir, Server } from './harness.mjs';
import { seed } from './seed.mjs';

const shots = join(artifactsDir, 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server, browser, oom, zh;

/** A signed-in page in a new context of the given language. */
async function openPage(locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, locale, colorScheme: 'light' });
  await context.addCookies([{ name: server.cookie.split('=')[0], value: server.cookie.split('=').slice(1).join('='), url: server.base }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

/** Creates a task for ann and fails it with message. */
async function failedTask(prompt, message) {
  const task = await server.api('POST', '/api/v1/tasks', { username: 'ann', prompt });
  await server.api('POST', `/api/v1/tasks/${task.task_id}/start`);
  await server.api('POST', `/api/v1/tasks/${task.task_id}/fail`, { message });
  return task.task_id;
}

/** Types text into the history's search box and waits for the one row it should find. */
async function searchFor(page, text, taskId) {
  await page.locator('.task-row').first().waitFor();
  // Start from the whole history, so the one row waited for below is this
  // search's answer and not the previous one's.
  const box = page.locator('input[type="search"]');
  if (await box.inputValue()) {
    await box.fill('');
    await page.waitForFunction(() => document.querySelectorAll('.task-row').length > 1);
  }
  await box.fill(text);
  await page.waitForFunction(
    (id) => {
      const rows = document.querySelectorAll('.task-row');
      return rows.length === 1 && rows[0].dataset.taskId === id && rows[0].querySelector('.match-line');
    },
    taskId,
  );
  const line = page.locator('.task-row .match-line');
  return {
    field: await line.getAttribute('data-match-field'),
    label: await line.locator('.match-field').innerText(),
    marks: await line.locator('mark').allInnerTexts(),
    text: await line.innerText(),
  };
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await Server.start();
  await seed(server, { bulk: 20 });
  oom = await failedTask('A lantern festival over the river', 'CUDA error: out of memory while rendering scene 3');
  zh = await failedTask('制作森林探险视频', '显存不足，渲染第二个镜头失败');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('search results say why they matched', () => {
  it('finds a failed task by its error message and highlights the words', async () => {
    const page = await openPage('en-US');
    await page.goto(`${server.base}/#/history`);
    const got = await searchFor(page, 'out of memory', oom);
    assert.equal(got.field, 'error');
    assert.equal(got.label, 'Error');
    assert.deepEqual(got.marks, ['out', 'of', 'memory']);
    assert.match(got.text, /CUDA error: out of memory while rendering scene 3/);
    // A highlight is visibly marked, not only in the markup.
    const bg = await page.locator('.task-row .match-line mark').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
    await page.screenshot({ path: join(shots, 'search-error-snippet.png') });

    const cuda = await searchFor(page, 'CUDA', oom);
    assert.deepEqual(cuda.marks, ['CUDA']);
    await page.context().close();
  });

  it('finds a Chinese error by a substring, labelled in Chinese', async () => {
    const page = await openPage('zh-CN');
    await page.goto(`${server.base}/#/history`);
    const got = await searchFor(page, '显存', zh);
    assert.equal(got.field, 'error');
    assert.equal(got.label, '错误');
    assert.deepEqual(got.marks, ['显存']);
    await page.screenshot({ path: join(shots, 'search-error-snippet-zh.png') });
    await page.context().close();
  });
});
