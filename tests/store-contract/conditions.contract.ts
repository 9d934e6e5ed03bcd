import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { expectRefusedUnchanged, type StoreHarness, snapshot } from './harness.js';

/** Claims task `id` as the next task and completes it with `result`. */
async function finish(baton: Baton, id: number, result?: unknown): Promise<void> {
  const task = await baton.claim({ workerId: 'w1' });
  expect(task?.id).toBe(id);
  await baton.complete(id, { workerId: 'w1', token: task?.lease?.token as number, result });
}

/** The last `skipped` event of a task. */
async function skippedEvent(baton: Baton, id: number) {
  return (await baton.events({ taskId: id })).findLast((e) => e.type === 'skipped');
}

/** Conditional dependencies (`depend --if`) and the `skipped` final state. */
export function conditionContract(store: () => StoreHarness): void {
  describe('conditional dependencies', () => {
    it('a condition that holds lets the dependent run once its dependency completes', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      const waiting = await baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed == true' }]);
      expect(waiting).toMatchObject({
        status: 'blocked',
        dependsOn: [test.id],
        conditions: [{ on: test.id, if: 'result.passed == true' }],
      });
      expect((await baton.events({ taskId: deploy.id })).at(-1)).toMatchObject({
        type: 'dependency_added',
        changes: { conditions: [[], [{ on: test.id, if: 'result.passed == true' }]] },
      });
      await finish(baton, test.id, { passed: true });
      expect((await baton.getTask(deploy.id)).status).toBe('queued');
      await finish(baton, deploy.id);
      expect((await baton.getTask(deploy.id)).status).toBe('completed');
    });

    it('a false condition skips the dependent, with an event naming the dependency and the value seen', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      await baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed == true' }]);
      await finish(baton, test.id, { passed: false });
      expect(await baton.getTask(deploy.id)).toMatchObject({ status: 'skipped', lease: null });
      expect(await skippedEvent(baton, deploy.id)).toMatchObject({
        changes: { status: ['blocked', 'skipped'] },
        data: { dependency: test.id, status: 'completed', condition: 'result.passed == true', value: false },
      });
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      expect((await baton.listTasks({ status: ['skipped'] })).tasks.map((t) => t.id)).toEqual([deploy.id]);
      expect((await baton.status()).tasks.byStatus).toMatchObject({ skipped: 1, completed: 1 });
    });

    it('a condition that cannot be evaluated (a missing field) skips the dependent with the error', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      await baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed' }]);
      await finish(baton, test.id, { other: 1 });
      expect((await baton.getTask(deploy.id)).status).toBe('skipped');
      const event = await skippedEvent(baton, deploy.id);
      expect(event?.data).toMatchObject({
        dependency: test.id,
        condition: 'result.passed',
        error: expect.stringContaining('passed'),
      });
    });

    it('a conditional dependency that fails for good skips the dependent; a plain one leaves it blocked', async () => {
      const baton = await store().open();
      const build = await baton.createTask({ title: 'Build', maxRetries: 0 });
      const conditional = await baton.createTask({ title: 'Publish' });
      const plain = await baton.createTask({ title: 'Notify', dependsOn: [build.id] });
      await baton.addDependencies(conditional.id, [{ id: build.id, if: "status == 'completed'" }]);
      const claimed = await baton.claim({ workerId: 'w1' });
      await baton.fail(build.id, { workerId: 'w1', token: claimed?.lease?.token as number, error: 'exit 1' });
      expect((await baton.getTask(conditional.id)).status).toBe('skipped');
      expect((await skippedEvent(baton, conditional.id))?.data).toMatchObject({ dependency: build.id, status: 'failed' });
      expect((await baton.getTask(plain.id)).status).toBe('blocked');
    });

    it('a skip spreads to the tasks that depend on the skipped one, each with its own event', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      await baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed' }]);
      const smoke = await baton.createTask({ title: 'Smoke test', dependsOn: [deploy.id] });
      const announce = await baton.createTask({ title: 'Announce', dependsOn: [smoke.id] });
      await finish(baton, test.id, { passed: false });
      for (const id of [deploy.id, smoke.id, announce.id]) expect((await baton.getTask(id)).status).toBe('skipped');
      expect((await skippedEvent(baton, smoke.id))?.data).toMatchObject({ dependency: deploy.id, status: 'skipped' });
      expect((await skippedEvent(baton, announce.id))?.data).toMatchObject({ dependency: smoke.id, status: 'skipped' });
      // A new task that depends on a skipped one will never run either.
      expect((await baton.createTask({ title: 'Late', dependsOn: [announce.id] })).status).toBe('skipped');
    });

    it('a condition given on completed work is decided at once', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      await finish(baton, test.id, { passed: true, coverage: 71 });
      const ok = await baton.createTask({ title: 'Deploy' });
      expect((await baton.addDependencies(ok.id, [{ id: test.id, if: 'result.coverage >= 70' }])).status).toBe('queued');
      const strict = await baton.createTask({ title: 'Badge' });
      const skipped = await baton.addDependencies(strict.id, [{ id: test.id, if: 'result.coverage >= 90' }]);
      expect(skipped).toMatchObject({ status: 'skipped', conditions: [{ on: test.id, if: 'result.coverage >= 90' }] });
    });

    it('retry requeues a skipped task, and its dependents skipped with it may be retried in turn', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      await baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed' }]);
      const after = await baton.createTask({ title: 'After', dependsOn: [deploy.id] });
      await finish(baton, test.id, { passed: false });
      const retried = await baton.retryTask(deploy.id);
      expect(retried.status).toBe('queued');
      expect((await baton.events({ taskId: deploy.id })).at(-1)).toMatchObject({
        type: 'retried',
        changes: { status: ['skipped', 'queued'] },
      });
      expect((await baton.retryTask(after.id)).status).toBe('blocked');
      await finish(baton, deploy.id);
      expect((await baton.getTask(after.id)).status).toBe('queued');
    });

    it('a condition that cannot be read is refused, naming where, and nothing changes', async () => {
      const baton = await store().open();
      const test = await baton.createTask({ title: 'Test' });
      const deploy = await baton.createTask({ title: 'Deploy' });
      const err = await expectRefusedUnchanged(
        baton,
        () => baton.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed ==' }]),
        'invalid_argument',
        'dependsOn.0.if',
      );
      expect(err.message).toMatch(/at character \d+/);
      await expectRefusedUnchanged(
        baton,
        () => baton.addDependencies(deploy.id, [{ id: test.id, if: '  ' }]),
        'invalid_argument',
        'dependsOn.0.if',
      );
      expect(await baton.getTask(deploy.id)).toMatchObject({ status: 'queued', dependsOn: [], conditions: [] });
    });

    it('conditions and skipped tasks survive export and import', async () => {
      const source = await store().open();
      const test = await source.createTask({ title: 'Test' });
      const deploy = await source.createTask({ title: 'Deploy' });
      const docs = await source.createTask({ title: 'Docs' });
      await source.addDependencies(deploy.id, [{ id: test.id, if: 'result.passed' }]);
      await source.addDependencies(docs.id, [{ id: test.id, if: '!result.passed' }]);
      await finish(source, test.id, { passed: true });
      expect((await source.getTask(docs.id)).status).toBe('skipped');
      const target = await store().openAnother();
      await target.importData(await source.exportData());
      const { exportedAt: _a, ...before } = await source.exportData();
      expect(await snapshot(target)).toEqual(before);
      expect(await target.getTask(deploy.id)).toMatchObject({
        status: 'queued',
        conditions: [{ on: test.id, if: 'result.passed' }],
      });
    });
  });
}
