import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cli, cliAsync, json } from '../cli/run-cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Another process takes the write lock of `db` and holds it for `ms`; resolves once it holds it,
 * with a promise of the time (ms since the epoch) it let go.
 */
async function holdLock(db: string, ms: number): Promise<Promise<number>> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require(process.argv[1]); const db = new D(process.argv[2]);
       db.exec('BEGIN IMMEDIATE'); process.stdout.write('held');
       setTimeout(() => { const at = Date.now(); db.exec('COMMIT'); db.close(); process.stdout.write(' ' + at); }, Number(process.argv[3]));`,
      DRIVER,
      db,
      String(ms),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return new Promise((resolve) => child.on('close', () => resolve(Number(out.split(' ')[1]))));
}

// Writers of other processes take turns on the lock (busy_timeout and `beginImmediate`, see
// sqlite-lock.ts): a write made while another holds it waits rather than fails.
it('a write waits while another process holds the lock, and lands once the lock is free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-lock-'));
  dirs.push(dir);
  const db = join(dir, 'baton.db');
  expect(cli(dir, ['init', '--db', db]).code).toBe(0);
  const released = await holdLock(db, 1_500);
  const added = await cliAsync(dir, ['add', 'after the lock', '--db', db, '--json']);
  const task = json<{ title: string; createdAt: string }>(added);
  expect(task.title).toBe('after the lock');
  // Written after the other process let go, not refused while it held the lock.
  expect(Date.parse(task.createdAt)).toBeGreaterThanOrEqual(await released);
});
