import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { expectRefusedUnchanged, type StoreHarness } from './harness.js';

/** Claims task `id` as `workerId` and completes it (or fails it for good). */
async function finish(baton: Baton, id: number, workerId: string, outcome: 'complete' | 'fail' = 'complete') {
  const task = await baton.claimTask(id, { workerId, capabilities: ['code', 'docs'] });
  const token = task.lease?.token ?? 0;
  return outcome === 'complete' ? baton.complete(id, { workerId, token }) : baton.fail(id, { workerId, token, error: 'broke' });
}

/** Version-guarded dependency edits, and the views that look back: a worker, analytics, a burndown. */
export function insightContract(store: () => StoreHarness): void {
  describe('dependency edits guarded by the version read', () => {
    it('adds and removes a dependency at the version read, and refuses a stale one unchanged', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'A' });
      const b = await baton.createTask({ title: 'B' });
      const stale = b.version;
      await baton.updateTask(b.id, { title: 'B, renamed elsewhere' });
      const err = await expectRefusedUnchanged(
        baton,
        () => baton.addDependencies(b.id, [a.id], { ifVersion: stale }),
        'version_mismatch',
      );
      expect(err.details).toMatchObject({ id: b.id, expected: stale, version: stale + 1 });
      const added = await baton.addDependencies(b.id, [a.id], { ifVersion: stale + 1 });
      expect(added).toMatchObject({ dependsOn: [a.id], status: 'blocked' });
      await expectRefusedUnchanged(baton, () => baton.removeDependency(b.id, a.id, { ifVersion: stale }), 'version_mismatch');
      expect(await baton.removeDependency(b.id, a.id, { ifVersion: added.version })).toMatchObject({
        dependsOn: [],
        status: 'queued',
      });
    });
  });

  describe('a worker, analytics and a burndown', () => {
    it("shows a worker's current and recent tasks and its success rate; an unknown one is refused", async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1', capabilities: ['code'], concurrency: 2 });
      const done1 = await baton.createTask({ title: 'One', capabilities: ['code'] });
      const done2 = await baton.createTask({ title: 'Two' });
      const broken = await baton.createTask({ title: 'Three', maxRetries: 0 });
      const held = await baton.createTask({ title: 'Held' });
      const reserved = await baton.createTask({ title: 'Reserved' });
      await finish(baton, done1.id, 'w1');
      await finish(baton, done2.id, 'w1');
      await finish(baton, broken.id, 'w1', 'fail');
      await baton.claimTask(held.id, { workerId: 'w1', capabilities: ['code'] });
      await baton.assignTask(reserved.id, 'w1');

      const detail = await baton.showWorker('w1');
      expect(detail.worker).toMatchObject({ id: 'w1', health: 'busy', concurrency: 2 });
      expect(detail.current.map((t) => t.id).sort((x, y) => x - y)).toEqual([held.id, reserved.id]);
      expect(new Set(detail.recent.map((t) => t.id))).toEqual(new Set([done1.id, done2.id, broken.id]));
      expect(detail.recent.find((t) => t.id === broken.id)).toMatchObject({ status: 'failed', lastError: 'broke' });
      expect(detail.record).toMatchObject({ completed: 2, failed: 1, sample: 3 });
      expect(detail.record.successRate).toBeCloseTo(2 / 3, 2);

      await expectRefusedUnchanged(baton, () => baton.showWorker('nobody'), 'worker_not_found');
      await expectRefusedUnchanged(baton, () => baton.showWorker('not a worker!'), 'invalid_argument');
    });

    it('counts finished work in the range asked, by capability and tag; a bad range is refused', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1', capabilities: ['code', 'docs'] });
      const code = await baton.createTask({ title: 'Code', capabilities: ['code'], tags: ['nightly'] });
      const docs = await baton.createTask({ title: 'Docs', capabilities: ['docs'], maxRetries: 0 });
      await finish(baton, code.id, 'w1');
      await finish(baton, docs.id, 'w1', 'fail');

      const hour = await baton.analytics({ range: '1h' });
      expect(hour).toMatchObject({ range: '1h', bucketSeconds: 120, totals: { completed: 1, failed: 1, failureRate: 0.5 } });
      expect(hour.buckets.length).toBe(31);
      expect(hour.buckets.reduce((n, b) => n + b.completed + b.failed, 0)).toBe(2);
      expect(hour.byCapability).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: 'code', completed: 1, failed: 0 }),
          expect.objectContaining({ key: 'docs', completed: 0, failed: 1 }),
        ]),
      );
      expect(hour.byTag).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: 'nightly', completed: 1 }),
          expect.objectContaining({ key: '(untagged)', failed: 1 }),
        ]),
      );
      expect(hour.byWorker).toEqual([expect.objectContaining({ workerId: 'w1', completed: 1, failed: 1 })]);
      const month = await baton.analytics({ range: '30d' });
      expect(month).toMatchObject({ range: '30d', bucketSeconds: 86_400, totals: { completed: 1, failed: 1 } });
      expect((await baton.analytics()).range).toBe('24h');
      await expectRefusedUnchanged(baton, () => baton.analytics({ range: '2w' as '1h' }), 'invalid_argument', 'range');
    });

    it("burns an epic's leaves down as they finish, and refuses a task with no subtasks", async () => {
      const baton = await store().open();
      const epic = await baton.createTask({ title: 'Epic', noBreakdown: true });
      const a = await baton.createTask({ title: 'A', parentId: epic.id, estimateMinutes: 60 });
      const b = await baton.createTask({ title: 'B', parentId: epic.id, estimateMinutes: 30 });
      await baton.createTask({ title: 'C', parentId: epic.id });
      await finish(baton, a.id, 'w1');

      const burn = await baton.burndown(epic.id);
      expect(burn).toMatchObject({ taskId: epic.id, leaves: 3, done: 1, unestimated: 1, estimateMinutes: 90 });
      expect(burn.points.at(-1)).toMatchObject({ remaining: 2, remainingMinutes: 30, scope: 3 });
      expect(Math.max(...burn.points.map((p) => p.remainingMinutes))).toBe(90);
      expect(burn.points.map((p) => p.at)).toEqual([...burn.points.map((p) => p.at)].sort());

      await expectRefusedUnchanged(baton, () => baton.burndown(b.id), 'invalid_argument', 'id');
      await expectRefusedUnchanged(baton, () => baton.burndown(999_999), 'task_not_found');
    });
  });
}
