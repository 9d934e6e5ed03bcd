import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness, sleep } from './harness.js';

const lease = (task: Task | null) => {
  if (!task?.lease) throw new Error('expected a claimed task');
  return { workerId: task.lease.owner, token: task.lease.token };
};

const executingIds = async (baton: Baton) =>
  (await baton.listTasks({ status: ['executing'] })).tasks.map((t) => t.id).sort((a, b) => a - b);

/** Task resources: capacity-limited claims, and what frees a slot. */
export function resourceContract(store: () => StoreHarness): void {
  describe('resources: at most N holders execute at once', () => {
    it('claims skip a task whose resource is full; show and status say it waits for the resource', async () => {
      const baton = await store().open();
      const first = await baton.createTask({ title: 'Migrate A', resources: ['db-migrations:2'] });
      const others = [];
      for (const t of ['Migrate B', 'Migrate C', 'Migrate D'])
        others.push(await baton.createTask({ title: t, resources: ['db-migrations'] }));
      expect(first.resources).toEqual(['db-migrations']);
      const a = await baton.claim({ workerId: 'w1' });
      const b = await baton.claim({ workerId: 'w2' });
      expect([a?.id, b?.id]).toEqual([first.id, others[0]?.id]);
      expect(await baton.claim({ workerId: 'w3' })).toBeNull();
      // Work without the resource is not held up.
      const free = await baton.createTask({ title: 'Unrelated' });
      expect((await baton.claim({ workerId: 'w3' }))?.id).toBe(free.id);
      expect(await baton.claim({ workerId: 'w4' })).toBeNull();

      const [resource] = await baton.listResources();
      expect(resource).toEqual({ name: 'db-migrations', capacity: 2, holders: [a?.id, b?.id], waiting: 2 });
      const detail = await baton.showTask(others[1]?.id as number);
      expect(detail.waiting).toMatchObject({ reason: 'resource_full', resources: ['db-migrations'] });
      const status = await baton.status();
      expect(status.stuck?.resourceFull).toEqual({ tasks: 2, resources: { 'db-migrations': 2 } });
      const byId = await refusal(baton.claimTask(others[1]?.id as number, { workerId: 'w5' }));
      expect(byId.code).toBe('resource_full');

      await baton.complete(a?.id as number, lease(a));
      expect((await baton.claim({ workerId: 'w5' }))?.id).toBe(others[1]?.id);
      expect(await baton.claim({ workerId: 'w6' })).toBeNull();
    });

    it('every end of an execution frees the slot: fail, release, pause, cancel, lease expiry, completion', async () => {
      const baton = await store().open();
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push((await baton.createTask({ title: `Deploy ${i}`, resources: ['prod'], maxRetries: 0 })).id);
      }
      const next = async (leaseSeconds = 30) => {
        const held = await executingIds(baton);
        expect(held.length).toBeLessThanOrEqual(1);
        const claimed = await baton.claim({ workerId: 'w', leaseSeconds });
        expect(await baton.claim({ workerId: 'other' })).toBeNull();
        return claimed;
      };
      let t = await next();
      await baton.fail(t?.id as number, { ...lease(t), error: 'broke' });
      t = await next();
      await baton.release(t?.id as number, lease(t));
      t = await next();
      // The released task is first again in the queue: it holds the slot now.
      await baton.pauseTask(t?.id as number);
      t = await next();
      await baton.cancelTask(t?.id as number);
      t = await next(0.3);
      await sleep(600);
      // Expired here, or already by the server's own sweep.
      await baton.expireLeases();
      expect((await baton.getTask(t?.id as number)).status).not.toBe('executing');
      t = await next();
      await baton.complete(t?.id as number, lease(t));
      expect((await baton.claim({ workerId: 'w' }))?.status).toBe('executing');
      expect(await executingIds(baton)).toHaveLength(1);
    });

    it('a worker waiting for a full resource gets the task soon after a holder finishes', async () => {
      const baton = await store().open();
      const holder = await baton.createTask({ title: 'Holder', resources: ['lock'] });
      const waiting = await baton.createTask({ title: 'Waiter', resources: ['lock'] });
      const held = await baton.claim({ workerId: 'h', leaseSeconds: 60 });
      expect(held?.id).toBe(holder.id);
      const started = Date.now();
      const claim = baton.claim({ workerId: 'w', waitSeconds: 20 });
      await sleep(300);
      await baton.complete(holder.id, lease(held));
      expect((await claim)?.id).toBe(waiting.id);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a claim of several tasks never takes more than the capacity, nor do concurrent claims', async () => {
      const baton = await store().open();
      for (let i = 0; i < 6; i++) await baton.createTask({ title: `Batch ${i}`, resources: ['gpu:2'] });
      const many = await baton.claimMany({ workerId: 'big', limit: 5 });
      expect(many.length).toBeGreaterThanOrEqual(1);
      expect(many.length).toBeLessThanOrEqual(2);
      for (const t of many) await baton.release(t.id, lease(t));
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => baton.claim({ workerId: `r${i}` })));
      const got = claims.filter((c) => c !== null);
      expect(got.length).toBeGreaterThanOrEqual(1);
      expect(got.length).toBeLessThanOrEqual(2);
      expect((await executingIds(baton)).length).toBeLessThanOrEqual(2);
    });

    it('a conflicting capacity is refused and changes nothing; setResource is the way to change it', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'Holds db', resources: ['db:2'] });
      const before = await baton.listResources();
      const err = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'Wants 3', resources: ['db:3'] }),
        'resource_conflict',
      );
      expect(err.message).toContain('capacity 2');
      expect(await baton.listResources()).toEqual(before);
      const named = await baton.createTask({ title: 'Other' });
      await expectRefusedUnchanged(baton, () => baton.updateTask(named.id, { resources: ['db:5'] }), 'resource_conflict');

      expect(await baton.setResource({ name: 'db', capacity: 3 })).toMatchObject({ name: 'db', capacity: 3 });
      const agreed = await baton.createTask({ title: 'Wants 3 now', resources: ['db:3'] });
      expect(agreed.resources).toEqual(['db']);
      const updated = await baton.updateTask(named.id, { resources: ['db', 'cache:4'] });
      expect(updated.resources).toEqual(['db', 'cache']);
      expect((await baton.listResources()).map((r) => [r.name, r.capacity])).toEqual([
        ['cache', 4],
        ['db', 3],
      ]);
      expect((await baton.updateTask(named.id, { resources: [] })).resources).toEqual([]);
    });

    it('an export carries the capacities, and an import restores them', async () => {
      const source = await store().open();
      await source.createTask({ title: 'Holds db', resources: ['db:3'] });
      await source.setResource({ name: 'gpu', capacity: 2 });
      const exported = await source.exportData();
      expect(exported.resources).toEqual([
        { name: 'db', capacity: 3 },
        { name: 'gpu', capacity: 2 },
      ]);
      const target = await store().openAnother();
      await target.importData(JSON.parse(JSON.stringify(exported)));
      expect((await target.listResources()).map((r) => [r.name, r.capacity])).toEqual([
        ['db', 3],
        ['gpu', 2],
      ]);
      // The capacity came along: naming another one is still a conflict.
      expect((await refusal(target.createTask({ title: 'Wants 1', resources: ['db:1'] }))).code).toBe('resource_conflict');
    });

    it('bad resources are refused with a coded error and change nothing', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'Existing', resources: ['db'] });
      for (const bad of ['', 'db:0', 'db:abc', 'db:-1', 'x'.repeat(101), 'two words', 'db:99999']) {
        await expectRefusedUnchanged(
          baton,
          () => baton.createTask({ title: 'Bad', resources: [bad] }),
          'invalid_argument',
          'resources.0',
        );
      }
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'Bad', resources: ['db:2', 'db:3'] }),
        'invalid_argument',
        'resources.1',
      );
      await expectRefusedUnchanged(baton, () => baton.setResource({ name: 'db', capacity: 0 }), 'invalid_argument', 'capacity');
      await expectRefusedUnchanged(baton, () => baton.setResource({ name: '', capacity: 2 }), 'invalid_argument', 'name');
      expect((await baton.listResources()).map((r) => r.capacity)).toEqual([1]);
    });
  });
}
