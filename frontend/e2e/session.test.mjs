// Sign-in that lasts, in the browser: a session survives a restart of serve,
// a page that lost its session says so, and a used sign-in link shows a
// page saying how to get a new one (English and Chinese).
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
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new browser context (its own cookies) with one page. */
async function newPage(opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', ...opts });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

/** Waits until the sidebar's live indicator is in state. */
function liveIs(page, state, timeout = 20_000) {
  return page.waitForSelector(`[data-testid="live"][data-state="${state}"]`, { timeout });
}

describe('sign-in that lasts', () => {
  it('keeps the browser signed in across a restart of serve', async () => {
    const page = await newPage();
    await page.goto(server.link());
    await liveIs(page, 'live');
    assert.equal(await page.locator('[data-testid="session-lost"]').count(), 0);
    const green = await page.locator('.live-dot').evaluate((el) => getComputedStyle(el).backgroundColor);

    await server.restart();
    await liveIs(page, 'live', 30_000);
    await page.reload();
    await liveIs(page, 'live');
    assert.equal(await page.locator('nav.sidebar').count(), 1, 'the page after a restart and a reload is signed in');
    assert.equal(await page.getByRole('heading', { name: 'Open Reelvault with its sign-in link' }).count(), 0);
    await page.screenshot({ path: join(shots, 'session-after-restart.png') });

    // Signed out from the command line: the open page says so within a few seconds.
    server.cli('signout');
    await page.waitForSelector('[data-testid="session-lost"]', { timeout: 15_000 });
    await liveIs(page, 'signed_out');
    const red = await page.locator('.live-dot').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(red, green, 'the live dot is not green once signed out');
    assert.match(await page.locator('[data-testid="session-lost"]').innerText(), /reelvault link/);
    const opacity = await page.locator('.main .screen').first().evaluate((el) => Number(getComputedStyle(el).opacity));
    assert.ok(opacity < 1, `the stale screen is dimmed (opacity ${opacity})`);
    await page.screenshot({ path: join(shots, 'session-lost.png') });

    // "Sign in again" leads to the sign-in screen, which names reelvault link.
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByRole('heading', { name: 'Open Reelvault with its sign-in link' }).waitFor();
    assert.match(await page.locator('.empty').innerText(), /reelvault link/);
    await page.context().close();
  });

  it('signs out everywhere from the Maintenance screen', async () => {
    const page = await newPage();
    await page.goto(server.link() + '#/maintenance');
    await liveIs(page, 'live');
    await page.getByTestId('sign-out-everywhere').click();
    const dialog = page.getByRole('dialog', { name: 'Sign out every browser?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForSelector('[data-testid="session-lost"]');
    await liveIs(page, 'signed_out');
    await page.context().close();
  });

  it('shows a page, not JSON, for a used or expired link', async () => {
    const link = server.link();
    const first = await newPage();
    await first.goto(link);
    await liveIs(first, 'live');
    await first.context().close();

    const page = await newPage({ locale: 'en-US' });
    const res = await page.goto(link);
    assert.equal(res.status(), 401);
    await page.getByRole('heading', { name: 'This sign-in link no longer works' }).waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /reelvault link/);
    assert.doesNotMatch(text, /"error"|unauthorized/);
    await page.screenshot({ path: join(shots, 'signin-link-used-en.png') });
    await page.getByRole('link', { name: 'Go to Reelvault' }).click();
    await page.getByRole('heading', { name: 'Open Reelvault with its sign-in link' }).waitFor();
    await page.context().close();

    const zh = await newPage({ locale: 'zh-CN' });
    await zh.goto(link);
    await zh.getByRole('heading', { name: '此登录链接已失效' }).waitFor();
    assert.match(await zh.locator('body').innerText(), /reelvault link/);
    await zh.screenshot({ path: join(shots, 'signin-link-used-zh-CN.png') });
    await zh.context().close();
  });
});
