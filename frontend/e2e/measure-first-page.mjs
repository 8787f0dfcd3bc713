// Measures, in Debian's chromium against the real binary, how long the first
// history page takes at a large history: a measurement, not a test.
//
//   REELVAULT_BIN=$PWD/../build/bin/reelvault node e2e/measure-first-page.mjs [TASKS] [RUNS]
//
// It writes an export document of TASKS tasks (default 100,000; every
// status, English and Chinese prompts) and imports it with `reelvault
// import` before serve starts, then opens the history RUNS times (default
// 10), each in a new browser context (empty cache, a fresh sign-in link:
// cold), and reports the time from navigation start to the first page's
// rows painted (the UI's rv:history-page mark) as p50/p99, with the load
// average before and after. The JSON result goes to stdout and to
// .artifacts/first-page-browser.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { artifactsDir, binary, Server } from './harness.mjs';

const TASKS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 10);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'];
const PROMPTS = ['A paper boat drifting down a rainy city street at dusk', '一只橘猫在京都的雨夜里穿过霓虹灯小巷', 'Time-lapse of a glacier calving into a turquoise bay', '敦煌壁画中的飞天在星空下起舞'];

/** Writes an export document of n tasks to path. */
async function writeExport(path, n) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  const start = Date.parse('2026-01-01T00:00:00Z');
  await write(`{"format":"reelvault-export","version":1,"exported_at":"${new Date().toISOString()}","filter":{},"users":[{"username":"studio","quota":${n + 10},"used_quota":${n},"is_active":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}],"tasks":[\n`);
  for (let i = 0; i < n; i++) {
    const at = new Date(start + i * 60_000).toISOString();
    const status = STATUSES[i % STATUSES.length];
    const done = status === 'completed';
    const task = {
      task_id: randomUUID(), username: 'studio', prompt: `${PROMPTS[i % PROMPTS.length]} #${i}`, status,
      progress: done ? 100 : status === 'processing' ? 40 : 0, total_scenes: 4, completed_scenes: done ? 4 : 0, attempts: status === 'pending' ? 0 : 1,
      created_at: at, updated_at: at, scripts: [], videos: [], events: [{ type: 'created', status: 'pending', progress: 0, created_at: at }],
    };
    if (status !== 'pending') task.started_at = at;
    if (done || status === 'failed' || status === 'cancelled') task.completed_at = at;
    if (done) task.final_video_path = `/videos/final-${i}.mp4`;
    if (status === 'failed') task.error_message = 'the renderer ran out of memory';
    await write(`${i ? ',\n' : ''}${JSON.stringify(task)}`);
  }
  await write('\n]}\n');
  await new Promise((r) => out.end(r));
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];

const work = mkdtempSync(join(tmpdir(), 'reelvault-measure-'));
const bin = binary(work);
const exportFile = join(work, 'history.json');
const seedStart = performance.now();
await writeExport(exportFile, TASKS);
execFileSync(bin, ['--data-dir', join(work, 'data'), 'import', exportFile], { stdio: 'inherit' });
const seedSeconds = (performance.now() - seedStart) / 1000;

const server = await Server.start({ work });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const loadBefore = loadavg()[0];
const times = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.link());
    await page.waitForFunction(() => performance.getEntriesByName('rv:history-page').length > 0, null, { timeout: 120_000 });
    times.push(await page.evaluate(() => performance.getEntriesByName('rv:history-page')[0].startTime));
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
times.sort((a, b) => a - b);
const result = {
  tasks: TASKS, runs: RUNS, seedSeconds: Math.round(seedSeconds),
  firstPageMs: { p50: Math.round(pct(times, 0.5)), p99: Math.round(pct(times, 0.99)), min: Math.round(times[0]), max: Math.round(times.at(-1)) },
  load: { before: loadBefore, after: loadavg()[0] },
};
mkdirSync(artifactsDir, { recursive: true });
writeFileSync(join(artifactsDir, 'first-page-browser.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));
