import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { BatonDump } from '../../src/core/types.js';
import { expectRefusedUnchanged, type StoreHarness, snapshot } from './harness.js';

/** A store holding a task in every state, with history and workers — what an export must carry. */
async function populate(baton: Baton): Promise<void> {
  await baton.registerWorker({ id: 'alice', name: 'Alice', capabilities: ['ui', 'react'], host: 'laptop', pid: 123 });
  await baton.registerWorker({ id: 'bob', capabilities: ['python'] });
  const epic = await baton.createTask({
    title: 'Parent «épique» 🚀',
    description: 'multi\nline',
    type: 'research',
    estimateMinutes: 45.5,
    tags: ['t1', 't2'],
    input: { nested: [1, 'two', { three: null }], ok: true },
    retryPolicy: { policy: 'exponential', baseSeconds: 1.5, maxSeconds: 30, jitter: 0.25 },
    timeoutSeconds: 90,
    command: 'make test',
  });
  const done = await baton.createTask({ title: 'Done', parentId: epic.id, priority: 'high' });
  const later = await baton.createTask({ title: 'Later', runAfter: new Date(Date.now() + 3_600_000).toISOString() });
  const blocked = await baton.createTask({ title: 'Blocked', dependsOn: [epic.id, later.id], capabilities: ['ui'] });
  const reviewed = await baton.createTask({ title: 'Reviewed', review: true, priority: 'critical' });
  const paused = await baton.createTask({ title: 'Paused', priority: 'low' });
  const cancelled = await baton.createTask({ title: 'Cancelled', priority: 'maintenance' });
  const reserved = await baton.createTask({ title: 'Reserved', priority: 'maintenance' });
  const failing = await baton.createTask({ title: 'Failing', maxRetries: 0, priority: 'maintenance' });
  await baton.assignTask(reserved.id, 'bob');
  await baton.pauseTask(paused.id);
  await baton.cancelTask(cancelled.id, { reason: 'dup' });

  const r = (await baton.claim({ workerId: 'alice' }))!;
  expect(r.id).toBe(reviewed.id);
  await baton.complete(r.id, { workerId: 'alice', token: r.lease!.token, result: 'draft', artifacts: ['out/a.txt'] });
  const d = (await baton.claim({ workerId: 'alice' }))!;
  expect(d.id).toBe(done.id);
  await baton.reportProgress(d.id, { workerId: 'alice', token: d.lease!.token, progress: 33.3, note: 'n', step: 's' });
  await baton.complete(d.id, { workerId: 'alice', token: d.lease!.token, result: { score: 0.5, list: [] } });
  const e = (await baton.claim({ workerId: 'alice', leaseSeconds: 600 }))!;
  expect(e.id).toBe(epic.id);
  await baton.reportProgress(e.id, { workerId: 'alice', token: e.lease!.token, progress: 10 });
  await baton.review(reviewed.id, { workerId: 'bob', pass: false, feedback: 'again', score: 40 });
  const f = (await baton.claim({ workerId: 'carol', capabilities: [] }))!;
  expect(f.id).toBe(reviewed.id);
  await baton.release(f.id, { workerId: 'carol', token: f.lease!.token });
  const g = await baton.claimMany({ workerId: 'dave', limit: 2 });
  expect(g.map((t) => t.id)).toEqual([reviewed.id, failing.id]);
  await baton.fail(failing.id, { workerId: 'dave', token: g[1]!.lease!.token, error: 'exit 1' });
  await baton.updateTask(blocked.id, { title: 'Blocked (renamed)', addTags: ['x'] });
}

/** Export → import, and what import refuses. */
export function transferContract(store: () => StoreHarness): void {
  describe('export and import', () => {
    it('round-trips losslessly into a fresh store', async () => {
      const source = await store().open();
      await populate(source);
      const exported = await source.exportData();
      expect(exported).toMatchObject({ format: 'baton-export', formatVersion: 1 });
      expect(new Set(exported.tasks.map((t) => t.status)).size).toBeGreaterThanOrEqual(7);

      const target = await store().openAnother();
      const summary = await target.importData(JSON.parse(JSON.stringify(exported)));
      expect(summary).toEqual({ tasks: exported.tasks.length, events: exported.events.length, workers: exported.workers.length });
      const { exportedAt: _a, ...expected } = exported;
      expect(await snapshot(target)).toEqual(expected);
    });

    it('an imported store carries on: leases still hold, and new ids follow the imported ones', async () => {
      const source = await store().open();
      await populate(source);
      const exported = await source.exportData();
      const target = await store().openAnother();
      await target.importData(JSON.parse(JSON.stringify(exported)));

      const executing = exported.tasks.find((t) => t.status === 'executing' && t.lease?.owner === 'alice')!;
      const finished = await target.complete(executing.id, { workerId: 'alice', token: executing.lease!.token });
      expect(finished.status).toBe('completed');
      const created = await target.createTask({ title: 'After import' });
      expect(created.id).toBeGreaterThan(Math.max(...exported.tasks.map((t) => t.id)));
      const events = await target.events({ afterId: Math.max(...exported.events.map((e) => e.id)) });
      expect(events.map((e) => e.type)).toEqual(['completed', 'created']);
      expect(events.map((e) => e.taskId)).toEqual([executing.id, created.id]);
    });

    it('refuses to import into a store that holds data, writing nothing', async () => {
      const source = await store().open();
      await source.createTask({ title: 'Exported' });
      const exported = await source.exportData();
      const target = await store().openAnother();
      await target.createTask({ title: 'Already here' });
      await expectRefusedUnchanged(target, () => target.importData(exported), 'store_not_empty');

      const onlyWorker = await store().openAnother();
      await onlyWorker.registerWorker({ id: 'w1' });
      await expectRefusedUnchanged(onlyWorker, () => onlyWorker.importData(exported), 'store_not_empty');
    });

    describe('refuses malformed or truncated data with invalid_import, leaving the store empty', () => {
      const cases: [string, (dump: BatonDump) => unknown][] = [
        ['not an object', () => 'baton export'],
        ['null', () => null],
        ['another format', (d) => ({ ...d, format: 'csv' })],
        ['a newer format version', (d) => ({ ...d, formatVersion: 2 })],
        ['the workers list cut off', ({ workers: _w, ...d }) => d],
        ['the tasks cut off before a dependency', (d) => ({ ...d, tasks: d.tasks.slice(1) })],
        ['a task without its title', (d) => ({ ...d, tasks: d.tasks.map(({ title: _t, ...t }) => t) })],
        ['an unknown status', (d) => ({ ...d, tasks: d.tasks.map((t) => ({ ...t, status: 'running' })) })],
        ['progress over 100', (d) => ({ ...d, tasks: d.tasks.map((t) => ({ ...t, progress: 101 })) })],
        ['a duplicated task id', (d) => ({ ...d, tasks: [...d.tasks, d.tasks[0]] })],
        ['a duplicated event id', (d) => ({ ...d, events: [...d.events, d.events[0]] })],
        [
          'a dependency cycle',
          (d) => ({ ...d, tasks: d.tasks.map((t, i) => (i === 0 ? { ...t, dependsOn: [d.tasks[1]!.id] } : t)) }),
        ],
      ];

      it.each(cases)('%s', async (_, corrupt) => {
        const source = await store().open();
        const a = await source.createTask({ title: 'A' });
        await source.createTask({ title: 'B', dependsOn: [a.id] });
        const dump = JSON.parse(JSON.stringify(await source.exportData())) as BatonDump;
        const target = await store().openAnother();
        await expectRefusedUnchanged(target, () => target.importData(corrupt(dump)), 'invalid_import');
        expect((await target.exportData()).tasks).toEqual([]);
        // The untouched export still imports: the refusal was about the damage.
        await target.importData(dump);
        expect((await target.listTasks()).total).toBe(2);
      });
    });
  });
}
