import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness, waitPast } from './harness.js';

/** Creating, reading, listing and editing tasks; the audit trail of every change. */
export function taskContract(store: () => StoreHarness): void {
  describe('tasks: create, get, list, count', () => {
    it('counts ready tasks per priority, and those waiting past their SLA target', async () => {
      // A ready critical task breaches after 300 ms here; a low one only after the default day.
      const baton = await store().openWithConfig({ sla: { critical: '300ms' } });
      await baton.createTask({ title: 'Critical A', priority: 'critical' });
      const last = await baton.createTask({ title: 'Critical B', priority: 'critical' });
      await baton.createTask({ title: 'Low', priority: 'low' });
      const held = await baton.createTask({ title: 'Paused', priority: 'critical' });
      await baton.pauseTask(held.id);
      await baton.createTask({ title: 'Later', priority: 'high', runAfter: new Date(Date.now() + 3_600_000).toISOString() });
      const status = await baton.status();
      expect(status.queueDepth).toBe(3);
      expect(status.readyByPriority).toEqual({ critical: 2, high: 0, normal: 0, low: 1, maintenance: 0 });
      expect(status.sla.targetSeconds).toMatchObject({ critical: 0.3, low: 86_400 });

      // Strictly past the target: a task created exactly 300 ms before the count is not yet late.
      await waitPast(baton, last.createdAt, 350);
      const late = await baton.status();
      // The paused and the delayed critical tasks are not waiting for a claim: no breach.
      expect(late.sla.breaches).toEqual({ critical: 2, high: 0, normal: 0, low: 0, maintenance: 0 });
      expect(late.sla.totalBreaches).toBe(2);
    });

    it('creates a task with its fields and the documented defaults, and reads it back identically', async () => {
      const baton = await store().open();
      const before = Date.now();
      const task = await baton.createTask({
        title: '  Write the release notes  ',
        description: 'For 1.0 — with “quotes” and ünïcode',
        priority: 'high',
        capabilities: ['docs', 'docs', 'writing'],
        tags: ['release'],
        estimateMinutes: 360,
        input: { pages: [1, 2, 3], nested: { ok: true } },
      });
      expect(task).toMatchObject({
        title: 'Write the release notes',
        status: 'queued',
        priority: 'high',
        type: 'feature',
        capabilities: ['docs', 'writing'],
        tags: ['release'],
        estimateMinutes: 360,
        complexity: 'medium',
        input: { pages: [1, 2, 3], nested: { ok: true } },
        progress: 0,
        attempts: 0,
        maxRetries: 3,
        leaseToken: 0,
        lease: null,
        dependsOn: [],
        createdBy: store().actor,
        version: 1,
      });
      expect(Date.parse(task.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(await baton.getTask(task.id)).toEqual(task);
    });

    it('keeps JSON payloads of every kind exactly, including strings that look like JSON', async () => {
      const baton = await store().open();
      const payloads: unknown[] = [
        'plain text',
        '{"looks":"like json"}',
        '42',
        42,
        0.5,
        true,
        false,
        [1, 'a', null],
        { a: { b: [] } },
      ];
      for (const payload of payloads) {
        const task = await baton.createTask({ title: 'payload', input: payload });
        expect((await baton.getTask(task.id)).input).toEqual(payload);
        const claimed = await baton.claim({ workerId: 'w1' });
        await baton.complete(task.id, { workerId: 'w1', token: claimed!.lease!.token, result: payload });
        expect((await baton.getTask(task.id)).result).toEqual(payload);
      }
    });

    it('assigns growing ids and defaults the priority to normal', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'a' });
      const b = await baton.createTask({ title: 'b' });
      expect(a.priority).toBe('normal');
      expect(b.id).toBeGreaterThan(a.id);
    });

    it('refuses an unknown id with task_not_found', async () => {
      const baton = await store().open();
      expect((await refusal(baton.getTask(4242))).code).toBe('task_not_found');
      expect((await refusal(baton.showTask(4242))).code).toBe('task_not_found');
    });

    it('lists and counts with filters on status, worker, tag and parent', async () => {
      const baton = await store().open();
      const parent = await baton.createTask({ title: 'parent' });
      const ui = await baton.createTask({ title: 'ui child', parentId: parent.id, tags: ['ui'] });
      const api = await baton.createTask({ title: 'api child', parentId: parent.id, tags: ['api'] });
      const dropped = await baton.createTask({ title: 'dropped', tags: ['ui'] });
      await baton.cancelTask(dropped.id);
      const claimed = await baton.claim({ workerId: 'w1' });
      expect(claimed?.id).toBe(parent.id);

      const ids = (tasks: Task[]) => tasks.map((t) => t.id);
      const cancelled = await baton.listTasks({ status: ['cancelled'] });
      expect(ids(cancelled.tasks)).toEqual([dropped.id]);
      expect(cancelled.total).toBe(1);
      expect(ids((await baton.listTasks({ status: ['queued', 'cancelled'] })).tasks)).toEqual([ui.id, api.id, dropped.id]);
      expect(ids((await baton.listTasks({ tag: 'ui' })).tasks)).toEqual([ui.id, dropped.id]);
      expect(ids((await baton.listTasks({ parentId: parent.id })).tasks)).toEqual([ui.id, api.id]);
      expect(ids((await baton.listTasks({ worker: 'w1' })).tasks)).toEqual([parent.id]);
      expect((await baton.listTasks({ worker: 'nobody' })).total).toBe(0);
      expect(ids((await baton.listTasks({ tag: 'ui', status: ['queued'] })).tasks)).toEqual([ui.id]);

      const page = await baton.listTasks({ limit: 2, offset: 1 });
      expect(ids(page.tasks)).toEqual([ui.id, api.id]);
      expect(page.total).toBe(4);
      expect((await baton.status()).tasks.byStatus).toMatchObject({ queued: 2, executing: 1, cancelled: 1 });
    });

    it('lists ready tasks in claim order: priority first, then first come first served', async () => {
      const baton = await store().open();
      const made: Record<string, number> = {};
      for (const [name, priority] of [
        ['low', 'low'],
        ['normal1', 'normal'],
        ['critical', 'critical'],
        ['maintenance', 'maintenance'],
        ['high', 'high'],
        ['normal2', 'normal'],
      ] as const) {
        made[name] = (await baton.createTask({ title: name, priority })).id;
      }
      const blocked = await baton.createTask({ title: 'blocked', priority: 'critical', dependsOn: [made.low!] });
      const later = await baton.createTask({
        title: 'later',
        priority: 'critical',
        runAfter: new Date(Date.now() + 60_000).toISOString(),
      });
      const ready = await baton.listTasks({ ready: true });
      expect(ready.tasks.map((t) => t.title)).toEqual(['critical', 'high', 'normal1', 'normal2', 'low', 'maintenance']);
      expect(ready.total).toBe(6);
      expect(ready.tasks.map((t) => t.id)).not.toContain(blocked.id);
      expect(ready.tasks.map((t) => t.id)).not.toContain(later.id);
      expect((await baton.status()).queueDepth).toBe(6);
    });
  });

  describe('tasks: updates and the version guard', () => {
    it('an update changes the fields, bumps the version and records before → after', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Old title', tags: ['a'] });
      const updated = await baton.updateTask(task.id, { title: 'New title', priority: 'high', addTags: ['b'] });
      expect(updated).toMatchObject({ title: 'New title', priority: 'high', tags: ['a', 'b'], version: task.version + 1 });
      expect(await baton.getTask(task.id)).toEqual(updated);
      const last = (await baton.events({ taskId: task.id })).at(-1);
      expect(last).toMatchObject({
        type: 'updated',
        actor: store().actor,
        changes: { title: ['Old title', 'New title'], priority: ['normal', 'high'], tags: [['a'], ['a', 'b']] },
      });
    });

    it('refuses an update against a stale version with version_mismatch, writing nothing', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Shared' });
      await baton.updateTask(task.id, { title: 'First writer' }, { ifVersion: task.version });
      await expectRefusedUnchanged(
        baton,
        () => baton.updateTask(task.id, { title: 'Second writer' }, { ifVersion: task.version }),
        'version_mismatch',
      );
      expect((await baton.getTask(task.id)).title).toBe('First writer');
    });

    it('of two writers holding the same version, exactly one wins', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Contended' });
      const results = await Promise.allSettled([
        baton.updateTask(task.id, { title: 'A' }, { ifVersion: task.version }),
        baton.updateTask(task.id, { title: 'B' }, { ifVersion: task.version }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => r.reason.code)).toEqual(['version_mismatch']);
      const final = await baton.getTask(task.id);
      expect(final.version).toBe(task.version + 1);
      expect(final.title).toBe((won[0] as PromiseFulfilledResult<Task>).value.title);
    });
  });

  describe('tasks: the audit trail', () => {
    it('every change appends one event with who, what, when and before → after', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1', capabilities: [] });
      const start = Date.now();
      const task = await baton.createTask({ title: 'Audited' });
      const trail = async () => baton.events({ taskId: task.id });
      expect(await trail()).toHaveLength(1);

      await baton.updateTask(task.id, { priority: 'high' });
      expect(await trail()).toHaveLength(2);
      const claimed = await baton.claim({ workerId: 'w1' });
      expect(await trail()).toHaveLength(3);
      await baton.reportProgress(task.id, { workerId: 'w1', token: claimed!.lease!.token, progress: 50, note: 'half way' });
      expect(await trail()).toHaveLength(4);
      await baton.complete(task.id, { workerId: 'w1', token: claimed!.lease!.token, result: { ok: true } });
      const history = await trail();
      expect(history).toHaveLength(5);

      expect(history.map((e) => e.type)).toEqual(['created', 'updated', 'claimed', 'progress', 'completed']);
      expect(history.map((e) => e.actor)).toEqual([store().actor, store().actor, 'w1', 'w1', 'w1']);
      expect(history.map((e) => e.workerId)).toEqual([null, null, 'w1', 'w1', 'w1']);
      expect(history[0]!.changes.status).toEqual([null, 'queued']);
      expect(history[1]!.changes.priority).toEqual(['normal', 'high']);
      expect(history[2]!.changes.status).toEqual(['queued', 'executing']);
      expect(history[3]!.changes.progress).toEqual([0, 50]);
      expect(history[3]!.changes.notes?.[1]).toMatchObject([{ by: 'w1', text: 'half way' }]);
      expect(history[4]!.changes.status).toEqual(['executing', 'completed']);
      expect(history[4]!.changes.result).toEqual([null, { ok: true }]);

      const times = history.map((e) => Date.parse(e.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times[0]).toBeGreaterThanOrEqual(start - 1000);
      expect(times.at(-1)).toBeLessThanOrEqual(Date.now() + 1000);
      const ids = history.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect((await baton.showTask(task.id)).history).toEqual(history);
    });

    it('events can be read incrementally after an id', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'one' });
      const seen = await baton.events();
      await baton.createTask({ title: 'two' });
      const fresh = await baton.events({ afterId: seen.at(-1)!.id });
      expect(fresh.map((e) => e.type)).toEqual(['created']);
      expect(fresh[0]!.data).toMatchObject({ title: 'two' });
    });
  });
}
