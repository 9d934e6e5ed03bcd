import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import type { WorkerEvent } from '../../src/worker/types.js';
import { work } from '../../src/worker/work.js';
import { newSchemaName, openPg } from './pg-test-db.js';
import { PrivateCluster } from './private-cluster.js';

/** Restarting the shared server would break every other test using it at the time. */
const cluster = new PrivateCluster();
beforeAll(() => cluster.start(), 120_000);
afterAll(() => cluster.destroy());

const TASKS = 10;
const CONCURRENCY = 4;

describe('PostgreSQL restarted while a worker holds leases', () => {
  it('the worker reconnects, its progress reports after the restart succeed, nothing is lost or doubled', async () => {
    const url = cluster.url(newSchemaName('baton_restart'));
    const baton: LocalBaton = await openPg({ db: url, actor: 'tester' });
    const ids: number[] = [];
    for (let i = 0; i < TASKS; i++) ids.push((await baton.createTask({ title: `job ${i}` })).id);

    // The first CONCURRENCY tasks are held across the restart: each notes that it started, waits
    // for the restart, then notes again (a progress report through the store) and finishes.
    let restarted!: () => void;
    const restart = new Promise<void>((resolve) => {
      restarted = resolve;
    });
    let holding = 0;
    let allHeld!: () => void;
    const held = new Promise<void>((resolve) => {
      allHeld = resolve;
    });
    const events: WorkerEvent[] = [];
    const workerBaton = await openPg({ db: url, actor: 'worker' });
    const worker = work(workerBaton, {
      id: 'survivor',
      concurrency: CONCURRENCY,
      leaseSeconds: 60,
      pollSeconds: 0.5,
      onEvent: (e) => events.push(e),
      handler: async (task, ctx) => {
        if (task.id <= ids[CONCURRENCY - 1]!) {
          await ctx.note('before the restart');
          if (++holding === CONCURRENCY) allHeld();
          await restart;
          await ctx.note('after the restart');
        }
        return { id: task.id };
      },
    });

    await held;
    await cluster.restart();
    restarted();

    const deadline = Date.now() + 60_000;
    while (events.filter((e) => e.type === 'completed').length < TASKS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await worker.close();
    await workerBaton.close();

    // Nothing lost: every task completed, with the result of its one attempt.
    const tasks = (await baton.listTasks({ limit: 100 })).tasks;
    expect(tasks.map((t) => [t.id, t.status, t.attempts, t.leaseToken, t.result])).toEqual(
      ids.map((id) => [id, 'completed', 1, 1, { id }]),
    );
    // The held tasks' notes from after the restart landed, so their progress reports succeeded.
    for (const id of ids.slice(0, CONCURRENCY)) {
      const task = tasks.find((t) => t.id === id)!;
      expect(task.notes.map((n) => n.text)).toEqual(['before the restart', 'after the restart']);
    }
    // Nothing doubled, nothing lost on the way: one claim and one completion per task, by the
    // worker, and no lease ever expired or was lost.
    const history = await baton.events({});
    for (const id of ids) {
      const of = history.filter((e) => e.taskId === id).map((e) => [e.type, e.workerId]);
      const notes = id <= ids[CONCURRENCY - 1]! ? 2 : 0;
      expect(of.filter(([type]) => type === 'claimed')).toEqual([['claimed', 'survivor']]);
      expect(of.filter(([type]) => type === 'completed')).toEqual([['completed', 'survivor']]);
      expect(of.filter(([type]) => type === 'progress')).toHaveLength(notes);
      expect(of.map(([type]) => type)).not.toContain('lease_expired');
    }
    expect(events.filter((e) => e.type === 'lost')).toEqual([]);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(TASKS);
    await baton.close();
  }, 120_000);
});
