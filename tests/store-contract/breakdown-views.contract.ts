import { describe, expect, it } from 'vitest';
import { refusal, type StoreHarness } from './harness.js';

/** What a task broken down already looks like: its tree on a dry run, and its place in the status. */
export function breakdownViewContract(store: () => StoreHarness): void {
  describe('a task broken down already', () => {
    it('a dry run shows the subtasks written then, every level, and writes nothing', async () => {
      const baton = await store().open();
      const parent = await baton.createTask({ title: 'Build the billing REST API', estimate: '20d' });
      const written = (await baton.listTasks({ limit: 100 })).tasks.filter((t) => t.id !== parent.id);
      const before = await baton.getTask(parent.id);
      const dry = await baton.breakdown(parent.id, { dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, existing: true, task: { id: parent.id, status: 'executing' } });
      expect(dry.subtasks.map((t) => t.id)).toEqual(written.map((t) => t.id));
      expect(dry.plan.subtasks.map((s) => s.title)).toEqual(written.filter((t) => t.parentId === parent.id).map((t) => t.title));
      expect(dry.plan.subtasks.some((s) => s.subtasks.length > 0)).toBe(true);
      expect(await baton.getTask(parent.id)).toEqual(before);
      expect((await refusal(baton.breakdown(parent.id))).code).toBe('illegal_transition');
      // Work that was started, not split, has no tree to show: a dry run is refused as before.
      const plain = await baton.createTask({ title: 'Plain', noBreakdown: true, priority: 'critical' });
      await baton.claim({ workerId: 'w1' });
      expect((await refusal(baton.breakdown(plain.id, { dryRun: true }))).code).toBe('illegal_transition');
    });

    it('status counts parents apart from the executing work workers hold', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'Build the user management REST API', estimate: '40h' });
      await baton.createTask({ title: 'Held by a worker', noBreakdown: true, priority: 'critical' });
      await baton.claim({ workerId: 'w1' });
      const { tasks } = await baton.status();
      expect(tasks.byStatus.executing).toBe(2);
      expect(tasks.inProgressViaSubtasks).toBe(1);
    });
  });
}
