import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { Task } from '../../src/core/types.js';
import { PrivateCluster } from './private-cluster.js';

/**
 * The PostgreSQL store while its server stops and comes back: what a process using it sees.
 * A private cluster, so stopping it disturbs no other test.
 */

const cluster = new PrivateCluster();
beforeAll(() => cluster.start(), 120_000);
afterAll(() => cluster.destroy());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a call ended, and how long it took. */
async function outcome(call: Promise<unknown>): Promise<{ code: string; ms: number }> {
  const started = Date.now();
  try {
    await call;
    return { code: 'ok', ms: Date.now() - started };
  } catch (err) {
    return { code: String((err as { code?: unknown }).code), ms: Date.now() - started };
  }
}

describe('PostgreSQL stopped under load, then started again', () => {
  it('calls in flight settle, calls while it is down fail fast with store_unavailable, and writes succeed again within seconds of its return', async () => {
    const baton: LocalBaton = await openBaton({ db: cluster.url('outage'), actor: 'test' });
    try {
      for (let i = 0; i < 8; i++) await baton.createTask({ title: `job ${i}`, tags: ['a', 'b'] });
      const tasks = await baton.claimMany({ workerId: 'w', limit: 8, leaseSeconds: 120 });
      expect(tasks).toHaveLength(8);

      // Eight writers report progress without pause, as a busy crew does, across the stop.
      let stop = false;
      /** When each writer made the call it still waits the answer of. */
      const inFlight = new Map<number, number>();
      const writers = tasks.map(async (task: Task, i) => {
        for (let n = 0; !stop; n++) {
          inFlight.set(i, Date.now());
          await baton.reportProgress(task.id, { workerId: 'w', token: task.lease!.token, progress: n % 100 }).catch(() => {});
          inFlight.delete(i);
          await sleep(5 + i);
        }
      });
      await sleep(500);
      await cluster.stop();

      // Down: writes, reads and health are refused at once, with the code workers retry on.
      await sleep(300);
      const down = await Promise.all([
        outcome(baton.reportProgress(tasks[0]!.id, { workerId: 'w', token: tasks[0]!.lease!.token, progress: 1 })),
        outcome(baton.complete(tasks[1]!.id, { workerId: 'w', token: tasks[1]!.lease!.token })),
        outcome(baton.getTask(tasks[2]!.id)),
        outcome(baton.health()),
      ]);
      for (const o of down) expect(o.code).toBe('store_unavailable');
      expect(Math.max(...down.map((o) => o.ms))).toBeLessThan(1_000);
      // Every call made while it stopped, or since, has had its answer within a second.
      await sleep(500);
      expect(Date.now() - Math.min(Date.now(), ...inFlight.values())).toBeLessThan(1_000);

      await sleep(2_000);
      await cluster.resume();
      const back = Date.now();
      // Back: every writer's next call lands (the wedge left them waiting forever).
      for (const task of tasks) {
        const ref = { workerId: 'w', token: task.lease!.token };
        for (;;) {
          const o = await outcome(baton.reportProgress(task.id, { ...ref, progress: 100 }));
          if (o.code === 'ok') break;
          expect(o.code).toBe('store_unavailable');
          expect(Date.now() - back).toBeLessThan(5_000);
          await sleep(100);
        }
      }
      stop = true;
      await Promise.all(writers);
      for (const task of tasks.slice(1)) await baton.complete(task.id, { workerId: 'w', token: task.lease!.token });
      // Array columns still read as arrays on connections opened after the restart.
      const done = await baton.listTasks({ status: ['completed'] });
      expect(done.total).toBe(7);
      expect(done.tasks.map((t) => t.tags)).toEqual(Array.from({ length: 7 }, () => ['a', 'b']));
      expect((await baton.health()).ok).toBe(true);
    } finally {
      await baton.close();
    }
  }, 60_000);

  it('an idle claimer is woken by a task made elsewhere as promptly after a restart as before', async () => {
    const claimer: LocalBaton = await openBaton({ db: cluster.url('wake'), actor: 'claimer' });
    const maker: LocalBaton = await openBaton({ db: cluster.url('wake'), actor: 'maker' });
    try {
      /** How long a claim waiting for work takes to get a task made 300 ms after it began. */
      const pickUp = async () => {
        const started = Date.now();
        const claiming = claimer.claimMany({ workerId: 'w', limit: 1, waitSeconds: 10 });
        await sleep(300);
        await maker.createTask({ title: 'wake up' });
        const [task] = await claiming;
        expect(task?.title).toBe('wake up');
        return Date.now() - started - 300;
      };
      expect(await pickUp()).toBeLessThan(1_000);

      // Four seconds down: the driver's own reconnection backoff would by then have grown to seconds.
      await cluster.stop();
      await sleep(4_000);
      await cluster.resume();
      // Both processes find the database again.
      for (const baton of [claimer, maker]) while ((await outcome(baton.health())).code !== 'ok') await sleep(100);
      expect(await pickUp()).toBeLessThan(1_000);
    } finally {
      await claimer.close();
      await maker.close();
    }
  }, 60_000);
});
