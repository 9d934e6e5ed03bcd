import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueuesReport } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { sealedFolder } from '../helpers/sealed.js';
import { dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';
import { cli, cliAsync, json } from './run-cli.js';

/**
 * Through the real binary: `add --queue` and a full queue, `worker --queues`, `queues`, and
 * `system pause --drain` / `system resume`, on SQLite and on PostgreSQL.
 */

const CONFIG = 'queues:\n  deploy:\n    maxSize: 1\n    timeout: 10m\n';

function scenario(dir: string, db: string[]): () => Promise<void> {
  const run = (...args: string[]) => cli(dir, [...args, ...db]);
  return async () => {
    const ship = json<Task>(run('add', 'Ship it', '--queue', 'deploy', '--json'));
    expect(ship).toMatchObject({ queue: 'deploy', timeoutSeconds: 600 });
    const full = run('add', 'Ship again', '--queue', 'deploy');
    expect(full.code).toBe(4);
    expect(full.stderr).toMatch(/^error: queue_full: queue deploy is full/);
    const docs = json<Task>(run('add', 'Write docs', '--json'));

    // A worker serving only the default queue leaves the deploy alone.
    const worker = run('worker', 'w-docs', '--queues', 'default', '--once', '--simulate', '0.1');
    expect(worker.code, worker.stderr).toBe(0);
    const queues = json<QueuesReport>(run('queues', '--json'));
    expect(queues.queues.map((q) => [q.name, q.depth, q.executing])).toEqual([
      ['default', 0, 0],
      ['deploy', 1, 0],
    ]);
    expect(json<{ task: Task }>(run('show', String(docs.id), '--json')).task).toMatchObject({ status: 'completed' });
    // QUEUE READY EXECUTING WAITING MAX SIZE …: one ready, none executing, one waiting, at most one.
    expect(run('queues').stdout).toMatch(/deploy +1 +0 +1 +1 /);

    // A task executing keeps running through a pause; --drain waits for it.
    const held = json<Task>(run('next', '-w', 'w-ship', '--json'));
    expect(held.id).toBe(ship.id);
    const timedOut = run('system', 'pause', '--drain', '--timeout', '0.5s');
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toMatch(/^error: drain_timeout: 1 task\(s\) still executing/);
    expect(run('status').stdout).toMatch(/PAUSED {6}claims of every queue/);
    json<Task>(run('add', 'Later', '--json'));
    expect(json(run('next', '-w', 'w-late', '--json'))).toBeNull();

    const draining = cliAsync(dir, ['system', 'pause', '--drain', '--json', ...db]);
    await new Promise((r) => setTimeout(r, 700));
    expect(run('done', String(ship.id), '-w', 'w-ship').code).toBe(0);
    const drained = json<QueuesReport>(await draining);
    expect(drained).toMatchObject({ paused: true, executing: 0 });

    const resumed = json<QueuesReport>(run('system', 'resume', '--json'));
    expect(resumed.paused).toBe(false);
    expect(json<Task>(run('next', '-w', 'w-late', '--json'))?.title).toBe('Later');
    // One queue only: its own pause, shown per queue.
    run('system', 'pause', '--queue', 'deploy');
    expect(json<QueuesReport>(run('queues', '--json')).queues.find((q) => q.name === 'deploy')?.paused).toBe(true);
    expect(run('system', 'pause', '--queue', 'Deploy!').code).toBe(2);
  };
}

describe('baton queues, add --queue, worker --queues, system pause --drain / resume', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('on SQLite', async () => {
    const dir = sealedFolder('baton-queues');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(cli(dir, ['init']).code).toBe(0);
    writeFileSync(join(dir, '.baton', 'config.yaml'), CONFIG);
    await scenario(dir, [])();
  }, 60_000);

  it('on PostgreSQL', async () => {
    const schema = newSchemaName('baton_queues');
    cleanups.push(() => dropSchema(schema));
    const dir = sealedFolder('baton-queues-pg');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, '.baton', 'config.yaml'), CONFIG);
    await scenario(dir, ['--db', schemaUrl(schema)])();
  }, 60_000);
});
