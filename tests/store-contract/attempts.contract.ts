import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, type StoreHarness, waitPast } from './harness.js';

const IMMEDIATE_RETRY = { policy: 'immediate', baseSeconds: 0, maxSeconds: 0, jitter: 0 } as const;

const tokenOf = (task: Task | null): number => {
  if (!task?.lease) throw new Error('expected a claimed task with a lease');
  return task.lease.token;
};

/** Claims the task as `workerId` and reports `percent` on it; returns the claimed task. */
async function claimAt(baton: Baton, workerId: string, percent: number, leaseSeconds?: number): Promise<Task> {
  const claimed = await baton.claim({ workerId, leaseSeconds });
  if (!claimed) throw new Error('expected a task to claim');
  await baton.reportProgress(claimed.id, { workerId, token: tokenOf(claimed), progress: percent });
  return claimed;
}

/** The progress changes the task's history records, in order. */
async function progressTrail(baton: Baton, id: number): Promise<unknown[]> {
  return (await baton.events({ taskId: id })).filter((e) => e.changes.progress).map((e) => e.changes.progress);
}

/** What a new attempt starts from, what a task may wait for, and who each change is credited to. */
export function attemptContract(store: () => StoreHarness): void {
  describe('attempts: a task back in the queue starts afresh', () => {
    it('fail with retries left puts the next attempt at 0 %, keeping the old progress in history', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Flaky', retryPolicy: { ...IMMEDIATE_RETRY } });
      const first = await claimAt(baton, 'w1', 60);
      const retried = await baton.fail(task.id, { workerId: 'w1', token: tokenOf(first), error: 'boom' });
      expect(retried).toMatchObject({ status: 'queued', progress: 0 });
      expect(await progressTrail(baton, task.id)).toEqual([
        [0, 60],
        [60, 0],
      ]);
      const again = await baton.claim({ workerId: 'w2' });
      expect(again).toMatchObject({ id: task.id, progress: 0 });
    });

    it('release puts the next attempt at 0 %', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Handed back' });
      const claimed = await claimAt(baton, 'w1', 40);
      expect(await baton.release(task.id, { workerId: 'w1', token: tokenOf(claimed) })).toMatchObject({
        status: 'queued',
        progress: 0,
      });
      expect(await progressTrail(baton, task.id)).toEqual([
        [0, 40],
        [40, 0],
      ]);
    });

    it('an expired lease puts the next attempt at 0 %', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Abandoned' });
      const claimed = await claimAt(baton, 'ghost', 70, 1);
      const renewed = await baton.getTask(task.id);
      await waitPast(baton, renewed.lease?.expiresAt ?? claimed.lease!.expiresAt);
      // A server sweeps expired leases by itself: the expiry may be done before this call.
      expect([[task.id], []]).toContainEqual(await baton.expireLeases());
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'queued', progress: 0 });
      const expiry = (await baton.events({ taskId: task.id })).find((e) => e.type === 'lease_expired');
      expect(expiry?.changes.progress).toEqual([70, 0]);
    });

    it('a failed review clears the rejected result and artifacts, and the next attempt starts at 0 %', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Reviewed', review: true });
      const claimed = await claimAt(baton, 'author', 50);
      await baton.complete(task.id, {
        workerId: 'author',
        token: tokenOf(claimed),
        result: { v: 1 },
        artifacts: ['out/v1.txt'],
      });
      const sentBack = await baton.review(task.id, { workerId: 'reviewer', pass: false, feedback: 'wrong' });
      expect(sentBack).toMatchObject({ status: 'queued', progress: 0, result: null, artifacts: [] });
      const event = (await baton.events({ taskId: task.id })).at(-1);
      expect(event?.type).toBe('review_failed');
      expect(event?.changes.result).toEqual([{ v: 1 }, null]);
      expect(event?.changes.artifacts?.[1]).toEqual([]);

      const second = await baton.claim({ workerId: 'author' });
      const done = await baton.complete(task.id, { workerId: 'author', token: tokenOf(second), artifacts: ['out/v2.txt'] });
      expect(done.result).toBeNull();
      expect(done.artifacts.map((a) => a.path)).toEqual(['out/v2.txt']);
    });
  });

  describe('dependencies only wait for work not yet started', () => {
    it('adding a dependency to an executing task is refused, changing nothing', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Started' });
      await baton.claim({ workerId: 'w1' });
      const other = await baton.createTask({ title: 'Later' });
      const err = await expectRefusedUnchanged(baton, () => baton.addDependencies(task.id, [other.id]), 'illegal_transition');
      expect(err.message).toContain('executing');
      expect(err.message).toContain('before work starts');
    });

    it('adding a dependency to a reviewing task is refused; a task paused at work gave its attempt up and may wait', async () => {
      const baton = await store().open();
      const reviewed = await baton.createTask({ title: 'Under review', review: true });
      const claimed = await baton.claim({ workerId: 'w1' });
      await baton.complete(reviewed.id, { workerId: 'w1', token: tokenOf(claimed) });
      const paused = await baton.createTask({ title: 'Paused at work' });
      await baton.claim({ workerId: 'w2' });
      await baton.pauseTask(paused.id);
      const other = await baton.createTask({ title: 'Later' });
      const err = await expectRefusedUnchanged(baton, () => baton.addDependencies(reviewed.id, [other.id]), 'illegal_transition');
      expect(err.message).toContain('reviewing');
      // Pausing ended the attempt: the task waits for its dependency and resumes blocked.
      expect((await baton.addDependencies(paused.id, [other.id])).status).toBe('paused');
      expect((await baton.resumeTask(paused.id)).status).toBe('blocked');
      // Work not yet started may still wait.
      const queued = await baton.createTask({ title: 'Not started' });
      expect((await baton.addDependencies(queued.id, [other.id])).status).toBe('blocked');
    });

    it('a completed task is never shown as blocked', async () => {
      const baton = await store().open();
      const done = await baton.createTask({ title: 'Finished' });
      const claimed = await baton.claim({ workerId: 'w1' });
      await baton.complete(done.id, { workerId: 'w1', token: tokenOf(claimed) });
      const open = await baton.createTask({ title: 'Still open' });
      // A store imported from elsewhere may hold a finished task with an open dependency.
      const dump = await baton.exportData();
      const other = await store().openAnother();
      const tasks = dump.tasks.map((t) => (t.id === done.id ? { ...t, dependsOn: [open.id] } : t));
      await other.importData({ ...dump, tasks });
      expect((await other.getTask(done.id)).status).toBe('completed');
      expect((await other.showTask(done.id)).blockedBy).toEqual([]);
    });
  });

  describe('events are credited to whoever caused them', () => {
    it("the unblock that follows a worker's done is by that worker", async () => {
      const baton = await store().open();
      const first = await baton.createTask({ title: 'First' });
      const then = await baton.createTask({ title: 'Then', dependsOn: [first.id] });
      const claimed = await baton.claim({ workerId: 'w1' });
      await baton.complete(first.id, { workerId: 'w1', token: tokenOf(claimed) });
      const unblocked = (await baton.events({ taskId: then.id })).at(-1);
      expect(unblocked).toMatchObject({ type: 'unblocked', actor: 'w1' });
    });

    it('a parent following its subtasks is moved by system', async () => {
      const baton = await store().open();
      const parent = await baton.createTask({ title: 'Parent' });
      const { subtasks } = await baton.breakdown(parent.id);
      expect(subtasks.length).toBeGreaterThan(1);
      const claimed = await baton.claim({ workerId: 'w1' });
      await baton.reportProgress(claimed!.id, { workerId: 'w1', token: tokenOf(claimed), progress: 50 });
      const rolled = (await baton.events({ taskId: parent.id })).at(-1);
      expect(rolled).toMatchObject({ type: 'progress', actor: 'system', workerId: null });
      expect(rolled?.actor).not.toBe(store().actor);
    });
  });
}
