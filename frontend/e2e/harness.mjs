// Starts the real reelvault binary in serve mode on a temporary data dir and
// talks to it over HTTP as the owner.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(frontendDir, '..');
export const artifactsDir = process.env.ARTIFACTS_DIR ?? join(repoRoot, '.artifacts');

/**
 * Returns the binary to test: REELVAULT_BIN when set (make test-e2e builds
 * it), otherwise builds the frontend and then the binary, so the embedded
 * dist is the current one.
 */
export function binary(workDir) {
  if (process.env.REELVAULT_BIN) return process.env.REELVAULT_BIN;
  execFileSync('npm', ['run', 'build'], { cwd: frontendDir, stdio: 'inherit' });
  const out = join(workDir, 'reelvault');
  execFileSync('go', ['build', '-o', out, '.'], { cwd: repoRoot, stdio: 'inherit' });
  return out;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** A running `reelvault serve` and an owner session on it. */
export class Server {
  /**
   * Starts the binary; resolves once it printed its sign-in link. env adds
   * to (or, with a value of undefined, removes from) its environment;
   * work and port start it again on an earlier server's data and address.
   */
  static async start({ env = {}, work: earlier, port: samePort } = {}) {
    const work = earlier ?? mkdtempSync(join(tmpdir(), 'reelvault-e2e-'));
    const bin = binary(work);
    const dataDir = join(work, 'data');
    const port = samePort ?? (await freePort());
    const proc = spawn(bin, ['--data-dir', dataDir, 'serve', '--addr', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.fromEntries(Object.entries({ ...process.env, REELVAULT_DATA_DIR: dataDir, ...env }).filter(([, v]) => v !== undefined)),
    });
    let output = '';
    const link = await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`serve printed no sign-in link in 20 s:\n${output}`)), 20_000);
      const scan = (chunk) => {
        output += chunk;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      };
      proc.stdout.on('data', scan);
      proc.stderr.on('data', scan);
      proc.on('exit', (code) => rej(new Error(`serve exited with ${code}:\n${output}`)));
    });
    const s = new Server(proc, work, dataDir, new URL(link).origin);
    s.bin = bin;
    s.log = () => output;
    proc.stdout.on('data', (c) => (output += c));
    proc.stderr.on('data', (c) => (output += c));
    await s.signIn(new URL(link).searchParams.get('token'));
    return s;
  }

  constructor(proc, work, dataDir, base) {
    this.proc = proc;
    this.work = work;
    this.dataDir = dataDir;
    this.base = base;
    this.cookie = '';
  }

  /** Exchanges a one-time owner token for a session cookie. */
  async signIn(token) {
    const res = await fetch(`${this.base}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (res.status !== 204) throw new Error(`sign in: ${res.status} ${await res.text()}`);
    this.cookie = res.headers.get('set-cookie').split(';')[0];
  }

  /** The current one-time owner token (rotated after each use). */
  ownerToken() {
    return readFileSync(join(this.dataDir, 'owner-token'), 'utf8').trim();
  }

  /** Calls the API as the owner; returns the parsed body, throws on an error status. */
  async api(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: { Cookie: this.cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      const err = new Error(`${method} ${path}: ${res.status} ${text}`);
      err.status = res.status;
      throw err;
    }
    return text ? JSON.parse(text) : undefined;
  }

  /** Runs a command of the same binary on the server's data dir (another process); returns its stdout. */
  cli(...args) {
    return execFileSync(this.bin, ['--data-dir', this.dataDir, ...args], { encoding: 'utf8', env: { ...process.env, REELVAULT_DATA_DIR: this.dataDir } });
  }

  /** Stops the server with SIGTERM (SIGKILL after 10 s), keeping its data. */
  async halt() {
    if (this.proc.exitCode === null) {
      const exited = new Promise((res) => this.proc.on('exit', res));
      this.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
  }

  /** Stops the server and starts it again on the same data and address. */
  async restart() {
    await this.halt();
    const next = await Server.start({ work: this.work, port: Number(new URL(this.base).port) });
    this.proc = next.proc;
    this.log = next.log;
    this.cookie = next.cookie;
  }

  /** A fresh one-time sign-in link from `reelvault link`. */
  link() {
    return JSON.parse(this.cli('--json', 'link')).url;
  }

  /** Stops the server with SIGTERM and removes its data. */
  async stop() {
    await this.halt();
    rmSync(this.work, { recursive: true, force: true });
  }
}

/**
 * A signed-in page of server in a new context of browser: the given
 * language and viewport, light colours, downloads accepted, page errors
 * logged.
 */
export async function signedInPage(browser, server, { locale, width, height }) {
  const context = await browser.newContext({ viewport: { width, height }, locale, colorScheme: 'light', acceptDownloads: true });
  const [name, ...value] = server.cookie.split('=');
  await context.addCookies([{ name, value: value.join('='), url: server.base }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

/**
 * What sticks out sideways, evaluated in the page: the document's
 * horizontal overflow, and every visible element whose box ends past the
 * window's right edge (content cut off inside a clipping panel does not
 * scroll the document but is lost too).
 */
export function overflow() {
  const doc = document.scrollingElement;
  const width = doc.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (el.closest('dialog:not([open]), [hidden]')) continue;
    out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
  }
  return { scrollWidth: doc.scrollWidth, clientWidth: width, sticking: out.slice(0, 5) };
}
