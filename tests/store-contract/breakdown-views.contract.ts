import { describe, expect, it } from 'vitest';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

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

  describe('the complexity report', () => {
    it('scores every open task 1–10 with the reasons, names those to break down, and breaks them down in one go', async () => {
      const baton = await store().open();
      const tiny = await baton.createTask({ title: 'Fix the footer typo', estimate: '30m' });
      const big = await baton.createTask({ title: 'Rebuild the reporting pipeline', estimate: '20h', noBreakdown: true });
      const huge = await baton.createTask({ title: 'Move the data warehouse', estimate: '6d', noBreakdown: true });
      const split = await baton.createTask({ title: 'Build the billing REST API', estimate: '20d' }); // broken down on creation
      await baton.createTask({ title: 'Nightly report', every: '0 2 * * *' }); // a recurring template: never scored

      const report = await baton.complexityReport();
      expect(report.threshold).toBe(7);
      const scores = new Map(report.tasks.map((t) => [t.id, t.score]));
      expect(scores.get(tiny.id)).toBe(1);
      expect(scores.get(big.id)).toBe(7);
      expect(scores.get(huge.id)).toBe(9);
      // A parent is not scored (its subtasks are); the highest come first.
      expect(scores.has(split.id)).toBe(false);
      expect(report.tasks.map((t) => t.score)).toEqual([...report.tasks.map((t) => t.score)].sort((a, b) => b - a));
      expect(report.toBreakDown.slice(0, 2)).toEqual([huge.id, big.id]);
      expect(report.tasks.find((t) => t.id === big.id)?.reasons[0]).toMatch(/estimate 20h/);
      expect((await baton.complexityReport({ threshold: 9 })).toBreakDown).toEqual([huge.id]);
      await expectRefusedUnchanged(baton, () => baton.complexityReport({ threshold: 11 }), 'invalid_argument', 'threshold');
      await expectRefusedUnchanged(baton, () => baton.breakdownAll({ threshold: 0 }), 'invalid_argument', 'threshold');

      const dry = await baton.breakdownAll({ threshold: 9, dryRun: true });
      expect(dry.results.map((r) => [r.id, r.error])).toEqual([[huge.id, null]]);
      expect(dry.results[0]?.subtasks).toBeGreaterThan(1);
      expect((await baton.listTasks({ parentId: huge.id })).total).toBe(0);
      const done = await baton.breakdownAll({ threshold: 7 });
      // The big subtasks of the task split on creation score 7 or more too.
      expect(done.results.map((r) => r.id)).toEqual(expect.arrayContaining([big.id, huge.id]));
      expect(done.results.every((r) => r.error === null && r.score >= 7)).toBe(true);
      for (const id of [big.id, huge.id]) expect((await baton.listTasks({ parentId: id })).total).toBeGreaterThan(1);
      // Split now: neither is in the next report.
      const after = await baton.complexityReport();
      expect(after.tasks.some((t) => t.id === big.id || t.id === huge.id)).toBe(false);
    });
  });
}
