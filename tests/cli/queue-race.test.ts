import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { TaskEvent } from '../../src/core/types.js';
import { childEnv, sealedFolder } from '../helpers/sealed.js';
import { dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';
import { BIN, cli } from './run-cli.js';

/**
 * Acceptance: eight `baton worker` processes race under `limits.maxExecuting: 3` and a queue
 * capped at one (`queues.deploy.maxExecuting: 1`). Replaying the event log (every status change,
 * in order) never finds more than three tasks executing at once, nor more than one of the queue,
 * on SQLite and on PostgreSQL.
 */

const WORKERS = 8;
const PLAIN = 14;
const DEPLOYS = 6;
const CONFIG = 'limits:\n  maxExecuting: 3\nqueues:\n  deploy:\n    maxExecuting: 1\n';

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) =>
    child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code)),
  );

/** The most tasks of `ids` executing at once, replaying the status changes of the log in order. */
function mostExecuting(events: readonly TaskEvent[], ids: ReadonlySet<number>): number {
  const executing = new Set<number>();
  let most = 0;
  for (const e of events) {
    const status = e.changes.status as [string | null, string] | undefined;
    if (e.taskId === null || !ids.has(e.taskId) || !status) continue;
    if (status[1] === 'executing') executing.add(e.taskId);
    else executing.delete(e.taskId);
    most = Math.max(most, executing.size);
  }
  return most;
}

async function race(dir: string, db: string, open: () => Promise<LocalBaton>): Promise<void> {
  const add = (title: string, extra: string[]) => {
    const r = cli(dir, ['add', title, '--db', db, '--no-breakdown', ...extra]);
    expect(r.code, r.stderr).toBe(0);
  };
  for (let i = 0; i < DEPLOYS; i++) add(`Deploy ${i}`, ['--queue', 'deploy', '-p', 'high']);
  for (let i = 0; i < PLAIN; i++) add(`Job ${i}`, []);

  const workers = Array.from({ length: WORKERS }, (_, i) =>
    spawn(process.execPath, [BIN, 'worker', `racer-${i}`, '--simulate', '0.3', '--concurrency', '2', '--db', db], {
      cwd: dir,
      env: childEnv(),
      stdio: 'ignore',
    }),
  );
  const baton = await open();
  try {
    const deadline = Date.now() + 90_000;
    while ((await baton.status()).tasks.byStatus.completed < PLAIN + DEPLOYS) {
      if (Date.now() > deadline) throw new Error('the workers did not finish in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));

    const events = await baton.events({ limit: 100_000 });
    const tasks = (await baton.listTasks({ limit: 1000 })).tasks;
    const deploys = new Set(tasks.filter((t) => t.queue === 'deploy').map((t) => t.id));
    expect(deploys.size).toBe(DEPLOYS);
    expect(mostExecuting(events, new Set(tasks.map((t) => t.id)))).toBe(3);
    expect(mostExecuting(events, deploys)).toBe(1);
    expect(new Set(events.filter((e) => e.type === 'claimed').map((e) => e.workerId)).size).toBeGreaterThan(2);
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await baton.close();
  }
}

describe('eight worker processes racing under limits.maxExecuting and a queue cap', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('on SQLite, never more than three tasks (one deploy) execute at once', async () => {
    const dir = sealedFolder('baton-queue-race');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'race.db');
    expect(cli(dir, ['init', '--db', db]).code).toBe(0);
    // A SQLite store named by --db reads the config beside it.
    writeFileSync(join(dir, 'config.yaml'), CONFIG);
    await race(dir, db, () => openBaton({ db, cwd: dir }));
  }, 150_000);

  it('on PostgreSQL, never more than three tasks (one deploy) execute at once', async () => {
    const schema = newSchemaName('baton_queue_race');
    cleanups.push(() => dropSchema(schema));
    const dir = sealedFolder('baton-queue-race-pg');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The database holds the state; the config is read from the nearest .baton/.
    mkdirSync(join(dir, '.baton'), { recursive: true });
    writeFileSync(join(dir, '.baton', 'config.yaml'), CONFIG);
    const db = schemaUrl(schema);
    await race(dir, db, () => openBaton({ db, cwd: dir }));
  }, 150_000);
});
