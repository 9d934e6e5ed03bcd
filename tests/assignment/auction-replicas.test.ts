import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, type TestStore } from '../helpers/stores.js';
import { eventsByTask, waitFor } from './harness.js';

const TASKS = 30;
const WORKERS = ['r1', 'r2', 'r3'];

describe('auctions closing at once on two PostgreSQL replicas', () => {
  let store: TestStore;
  const servers: ServeProcess[] = [];
  beforeAll(async () => {
    store = await postgresBackend.fresh();
    store.configure({ assignment: 'auction', auction: { window: '4s' } });
    // The first opens (and migrates) the schema; the second finds it ready. Both sweep every 250 ms.
    for (let i = 0; i < 2; i++) servers.push(await startServe(store));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.remove();
  }, 60_000);

  it('each auction has exactly one winner, the best bidder, however both servers race to close it', async () => {
    const [a, b] = servers.map((s) => new RemoteBaton({ url: s.url })) as [RemoteBaton, RemoteBaton];
    // Registered, never running: nothing claims, so the reservations stay to be counted.
    for (const id of WORKERS) await a.registerWorker({ id });
    const tasks = await Promise.all(
      Array.from({ length: TASKS }, (_, i) => (i % 2 ? a : b).createTask({ title: `auctioned ${i}` })),
    );
    // Two of three bid (so no auction closes early: each waits for its window, and both servers' sweeps).
    const best = new Map<number, string>();
    await Promise.all(
      tasks.map(async (t, i) => {
        const [low, high] = [WORKERS[i % 3] as string, WORKERS[(i + 1) % 3] as string];
        await (i % 2 ? b : a).bid(t.id, { workerId: low, score: 0.2 });
        await (i % 2 ? a : b).bid(t.id, { workerId: high, score: 0.7 });
        best.set(t.id, high);
      }),
    );
    await waitFor(
      'every auction closed',
      async () => (await a.listTasks({ status: ['assigned'], limit: 200 })).tasks.every((t) => t.reservedFor !== '~auction'),
      30_000,
    );

    const byTask = await eventsByTask(a);
    for (const t of tasks) {
      const events = byTask.get(t.id) ?? [];
      const closed = events.filter((e) => e.type === 'auction_closed');
      expect(closed, `closes of task ${t.id}`).toHaveLength(1);
      expect(closed[0]?.data).toMatchObject({ outcome: 'won', winner: best.get(t.id), bids: 2 });
      expect(
        events.filter((e) => e.type === 'assigned'),
        `reservations of task ${t.id}`,
      ).toHaveLength(1);
      const explained = await b.explainAssignment(t.id);
      expect(explained.offer).toMatchObject({ kind: 'auction', outcome: 'won', workerId: best.get(t.id) });
      expect((await b.getTask(t.id)).reservedFor).toBe(best.get(t.id));
    }
  }, 120_000);
});
