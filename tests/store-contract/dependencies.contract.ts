import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, type StoreHarness } from './harness.js';

/** Claims the next task as `workerId` and completes it; returns its id. */
async function doNext(baton: Baton, workerId = 'w1'): Promise<number> {
  const task = await baton.claim({ workerId });
  if (!task?.lease) throw new Error('expected a task to claim');
  await baton.complete(task.id, { workerId, token: task.lease.token });
  return task.id;
}

/** Finish-to-start dependencies, blocking and cycles. */
export function dependencyContract(store: () => StoreHarness): void {
  describe('dependencies', () => {
    it('a task with two dependencies becomes claimable only after both complete', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      const b = await baton.createTask({ title: 'B' });
      const c = await baton.createTask({ title: 'C', priority: 'critical', dependsOn: [b.id, a.id] });
      expect(c).toMatchObject({ status: 'blocked', dependsOn: [a.id, b.id] });
      expect((await baton.listTasks({ ready: true })).tasks.map((t) => t.id)).toEqual([a.id, b.id]);

      expect(await doNext(baton)).toBe(a.id);
      expect((await baton.getTask(c.id)).status).toBe('blocked');
      expect((await baton.showTask(c.id)).blockedBy).toEqual([{ id: b.id, title: 'B', status: 'queued' }]);

      expect(await doNext(baton)).toBe(b.id);
      const unblocked = await baton.showTask(c.id);
      expect(unblocked.task.status).toBe('queued');
      expect(unblocked.blockedBy).toEqual([]);
      expect(unblocked.history.at(-1)).toMatchObject({ type: 'unblocked', changes: { status: ['blocked', 'queued'] } });
      expect(await doNext(baton)).toBe(c.id);
    });

    it('work under review still blocks its dependents until the review passes', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'Reviewed first', review: true });
      const b = await baton.createTask({ title: 'Then this', dependsOn: [a.id] });
      expect(await doNext(baton, 'author')).toBe(a.id);
      expect((await baton.showTask(b.id)).blockedBy).toEqual([{ id: a.id, title: 'Reviewed first', status: 'reviewing' }]);
      expect(await baton.claim({ workerId: 'author' })).toBeNull();
      await baton.review(a.id, { workerId: 'reviewer', pass: true });
      expect((await baton.getTask(b.id)).status).toBe('queued');
      expect(await doNext(baton, 'author')).toBe(b.id);
    });

    it('a dependency on completed work does not block', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      await doNext(baton);
      expect((await baton.createTask({ title: 'B', dependsOn: [a.id] })).status).toBe('queued');
    });

    it('cancelling a dependency leaves the dependent blocked, and showTask says why', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'Prerequisite' });
      const b = await baton.createTask({ title: 'Dependent', dependsOn: [a.id] });
      await baton.cancelTask(a.id, { reason: 'not needed' });
      const detail = await baton.showTask(b.id);
      expect(detail.task.status).toBe('blocked');
      expect(detail.blockedBy).toEqual([{ id: a.id, title: 'Prerequisite', status: 'cancelled' }]);
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
    });

    it('show and a refused claim name every open dependency of many, in id order, and none that is finished', async () => {
      const baton = await store().open();
      const deps: Task[] = [];
      for (let i = 0; i < 12; i++) deps.push(await baton.createTask({ title: `Part ${i}` }));
      const finished = new Set<number>();
      for (let i = 0; i < 3; i++) finished.add(await doNext(baton));
      await baton.cancelTask(deps[7]?.id as number, { reason: 'dropped' });
      const waiting = await baton.createTask({ title: 'Assembly', dependsOn: deps.map((d) => d.id).reverse() });
      const open = deps.filter((d) => !finished.has(d.id));
      const statusOf = (id: number) => (id === deps[7]?.id ? 'cancelled' : 'queued');
      expect((await baton.showTask(waiting.id)).blockedBy).toEqual(
        open.map((d) => ({ id: d.id, title: d.title, status: statusOf(d.id) })),
      );
      const err = await expectRefusedUnchanged(baton, () => baton.claimTask(waiting.id, { workerId: 'w1' }), 'task_blocked');
      expect(err.details?.blockedBy).toEqual(open.map((d) => d.id));
    });

    it('adding an open dependency blocks a queued task; removing it makes the task ready again', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      const b = await baton.createTask({ title: 'B' });
      const blocked = await baton.addDependencies(b.id, [a.id]);
      expect(blocked).toMatchObject({ status: 'blocked', dependsOn: [a.id] });
      expect((await baton.events({ taskId: b.id })).at(-1)).toMatchObject({
        type: 'dependency_added',
        changes: { dependsOn: [[], [a.id]] },
      });
      const ready = await baton.removeDependency(b.id, a.id);
      expect(ready).toMatchObject({ status: 'queued', dependsOn: [] });
      expect((await baton.getTask(b.id)).dependsOn).toEqual([]);
    });

    it('refuses a dependency that would close a cycle, naming the cycle, and writes nothing', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      const b = await baton.createTask({ title: 'B', dependsOn: [a.id] });
      const c = await baton.createTask({ title: 'C', dependsOn: [b.id] });
      const err = await expectRefusedUnchanged(baton, () => baton.addDependencies(a.id, [c.id]), 'dependency_cycle');
      expect(err.message).toContain(`${a.id} -> ${c.id} -> ${b.id} -> ${a.id}`);
      expect(err.details).toMatchObject({ field: 'dependsOn', cycle: [a.id, c.id, b.id, a.id] });
      expect(err.exitCode).toBe(2);
    });

    it('refuses a dependency of a task on itself', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      await expectRefusedUnchanged(baton, () => baton.addDependencies(a.id, [a.id]), 'invalid_argument', 'dependsOn');
    });

    it('refuses dependencies on unknown tasks', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      const err = await expectRefusedUnchanged(baton, () => baton.addDependencies(a.id, [a.id + 100]), 'task_not_found');
      expect(err.message).toContain(String(a.id + 100));
      await expectRefusedUnchanged(baton, () => baton.createTask({ title: 'B', dependsOn: [a.id + 100] }), 'task_not_found');
    });
  });
}
