import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { childEnv, sealedFolder } from '../helpers/sealed.js';

/**
 * Real processes for the dashboard tests: a `baton serve` on a temp store, `baton` commands
 * against it, and Debian's Chromium driven by playwright-core (never a downloaded browser).
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
const run = promisify(execFile);

export interface Served {
  url: string;
  db: string;
  dir: string;
  stop(): Promise<void>;
}

/** Runs a `baton` command on the store; returns its parsed `--json` answer. */
export async function baton<T = unknown>(db: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CLI, ...args, '--db', db, '--json'], { cwd: dirname(db), env: childEnv() });
  return JSON.parse(stdout) as T;
}

/** Starts `baton serve --port 0` on a fresh store (optionally prepared first) and waits for its URL. */
export async function startServer(prepare?: (db: string) => Promise<void>): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-web-'));
  const db = join(dir, 'baton.db');
  await run(process.execPath, [CLI, 'init', '--db', db], { cwd: dir, env: childEnv() });
  if (prepare) await prepare(db);
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db], {
    cwd: dir,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 15_000);
    const read = (chunk: Buffer) => {
      out += chunk;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (c: Buffer) => (out += c));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { url, db, dir, stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let workerFolder: string | undefined;

/** One `baton worker --once` process over HTTP: claims, runs (simulated), completes, exits. */
export async function runWorkerOnce(url: string, id: string, seconds = 0.3): Promise<string> {
  // It keeps attempt logs in the nearest .baton/: one of the test's, not the repository's.
  workerFolder ??= sealedFolder('baton-web-worker');
  const { stdout } = await run(process.execPath, [CLI, 'worker', id, '--once', '--simulate', String(seconds), '--server', url], {
    cwd: workerFolder,
    env: childEnv(),
    timeout: 30_000,
  });
  return stdout;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium on a fresh profile; `args` adds switches (such as host resolver rules). */
export async function openBrowser(viewport = { width: 1280, height: 900 }, args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A server and a browser shared by the tests of one file. */
export interface Dashboard {
  readonly server: Served;
  readonly browser: Browser;
}

/**
 * Starts `baton serve` on a fresh store and a browser before the tests of the file, and stops both
 * after the last one: starting Chromium and a server per test would cost more than the tests. The
 * fields are read inside tests, once `beforeAll` has run.
 */
export function useDashboard(): Dashboard {
  let server: Served | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the server starts in beforeAll');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** JSON call to the server's API, as a script or another client would make it. */
export async function api<T = unknown>(url: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
