import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { expectRefusedUnchanged, type StoreHarness, sleep } from './harness.js';

const AUCTION = { assignment: 'auction', auction: { window: '30s' } };

/** Reads until `check` holds (a server sweeps on its own timer; a local read sweeps), for at most `ms`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await sleep(50);
  }
}

async function crew(baton: Baton): Promise<void> {
  await baton.registerWorker({ id: 'ann', capabilities: ['build'] });
  await baton.registerWorker({ id: 'bob', capabilities: ['build', 'deploy'] });
  await baton.registerWorker({ id: 'cat', capabilities: ['paint'] });
}

/** Assignment strategies (`core/assignment.ts`): push offers, auctions and bids, and their explanation. */
export function assignmentContract(store: () => StoreHarness): void {
  describe('assignment strategies', () => {
    it('an auction takes bids from capable online workers and, once all have bid, reserves for the best', async () => {
      const baton = await store().openWithConfig(AUCTION);
      await crew(baton);
      const task = await baton.createTask({ title: 'Ship it', capabilities: ['build'] });
      expect(task).toMatchObject({ status: 'assigned', reservedFor: '~auction' });
      expect(await baton.claim({ workerId: 'ann', capabilities: ['build'] })).toBeNull();
      expect((await baton.showTask(task.id)).waiting).toMatchObject({ reason: 'in_auction' });

      const first = await baton.bid(task.id, { workerId: 'ann', score: 0.4, etaSeconds: 600, note: 'warm cache' });
      expect(first).toMatchObject({ taskId: task.id, workerId: 'ann', score: 0.4, etaSeconds: 600, note: 'warm cache' });
      const open = await baton.explainAssignment(task.id);
      expect(open).toMatchObject({ mode: 'auction', offer: { kind: 'auction', closedAt: null } });
      expect(open.bids.map((b) => b.workerId)).toEqual(['ann']);

      await baton.bid(task.id, { workerId: 'bob', score: 0.9 });
      const won = await eventually(
        async () => (await baton.showTask(task.id)).task,
        (t) => t.reservedFor === 'bob',
      );
      expect(won.status).toBe('assigned');
      const detail = await baton.showTask(task.id);
      expect(detail.bids?.map((b) => [b.workerId, b.score])).toEqual([
        ['ann', 0.4],
        ['bob', 0.9],
      ]);
      const types = detail.history.map((e) => e.type);
      expect(types).toEqual(['created', 'auction_opened', 'bid', 'bid', 'auction_closed', 'assigned']);
      expect(await baton.claim({ workerId: 'ann', capabilities: ['build'] })).toBeNull();
      expect(await baton.claim({ workerId: 'bob', capabilities: ['build', 'deploy'] })).toMatchObject({ id: task.id });
    });

    it('refuses a bid not in auction, by an unknown or incapable worker, or out of range, changing nothing', async () => {
      const baton = await store().openWithConfig(AUCTION);
      await crew(baton);
      const pulled = await baton.createTask({ title: 'Pulled', assignment: 'pull' });
      expect(pulled).toMatchObject({ status: 'queued', reservedFor: null });
      const task = await baton.createTask({ title: 'Auctioned', capabilities: ['build'] });
      await expectRefusedUnchanged(baton, () => baton.bid(pulled.id, { workerId: 'ann', score: 0.5 }), 'not_in_auction');
      await expectRefusedUnchanged(baton, () => baton.bid(task.id + 100, { workerId: 'ann', score: 0.5 }), 'task_not_found');
      await expectRefusedUnchanged(baton, () => baton.bid(task.id, { workerId: 'zed', score: 0.5 }), 'worker_not_found');
      await expectRefusedUnchanged(baton, () => baton.bid(task.id, { workerId: 'cat', score: 0.5 }), 'incapable_worker');
      await expectRefusedUnchanged(baton, () => baton.bid(task.id, { workerId: 'ann', score: 2 }), 'invalid_argument', 'score');
      await baton.unregisterWorker('bob');
      await expectRefusedUnchanged(baton, () => baton.bid(task.id, { workerId: 'bob', score: 0.5 }), 'worker_offline');
    });

    it('an auction nobody bids in closes after its window and the task goes to whoever pulls', async () => {
      const baton = await store().openWithConfig({ assignment: 'auction', auction: { window: '1s' } });
      await crew(baton);
      const task = await baton.createTask({ title: 'Silence', capabilities: ['build'] });
      // `show` sweeps what fell due in a local store (a server sweeps on its own timer).
      const freed = await eventually(
        async () => (await baton.showTask(task.id)).task,
        (t) => t.status === 'queued',
      );
      expect(freed.reservedFor).toBeNull();
      const closed = (await baton.events({ taskId: task.id })).find((e) => e.type === 'auction_closed');
      expect(closed?.data).toMatchObject({ outcome: 'no_bids', winner: null });
      expect(await baton.claim({ workerId: 'cat' })).toBeNull();
      expect(await baton.claim({ workerId: 'ann', capabilities: ['build'] })).toMatchObject({ id: task.id });
    });

    it('a queue has its own mode, and a task its own, below which the store’s holds', async () => {
      const baton = await store().openWithConfig({ assignment: 'pull', queues: { bids: { assignment: 'auction' } } });
      await crew(baton);
      expect(await baton.createTask({ title: 'By queue', queue: 'bids' })).toMatchObject({ reservedFor: '~auction' });
      expect(await baton.createTask({ title: 'Own mode', queue: 'bids', assignment: 'pull' })).toMatchObject({
        status: 'queued',
        reservedFor: null,
      });
      expect(await baton.createTask({ title: 'Store default' })).toMatchObject({ status: 'queued', reservedFor: null });
      const pushed = await baton.createTask({ title: 'Pushed', capabilities: ['paint'], assignment: 'push' });
      expect(pushed).toMatchObject({ status: 'assigned', reservedFor: 'cat', tags: ['assignment:push'] });
      expect((await baton.explainAssignment(pushed.id)).mode).toBe('push');
    });

    it('push reserves a ready task for the best capable worker, and explain says why', async () => {
      const baton = await store().openWithConfig({ assignment: 'push' });
      await crew(baton);
      const task = await baton.createTask({ title: 'Deploy', capabilities: ['build'] });
      // ann fits exactly; bob has a capability the task does not use.
      expect(task).toMatchObject({ status: 'assigned', reservedFor: 'ann' });
      const explained = await baton.explainAssignment(task.id);
      expect(explained).toMatchObject({ taskId: task.id, mode: 'push', offer: { kind: 'push', workerId: 'ann' } });
      expect(explained.candidates.map((c) => [c.id, c.rank, c.eligible])).toEqual([
        ['ann', 1, true],
        ['bob', 2, true],
        ['cat', null, false],
      ]);
      expect(explained.candidates[2]?.reasons).toContain('lacks build');
      // A second one goes to bob: ann's slot is taken by the first.
      expect((await baton.createTask({ title: 'Again', capabilities: ['build'] })).reservedFor).toBe('bob');
      await expectRefusedUnchanged(baton, () => baton.explainAssignment(task.id + 100), 'task_not_found');
    });
  });
}
