import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

const H = 60;
/** The crew of four that sat idle with "Queue 4 ready". */
const CREW = [
  { id: 'worker_001', name: 'Frontend Dev', capabilities: ['react', 'typescript', 'ui_design'] },
  { id: 'worker_002', name: 'Backend Dev', capabilities: ['python', 'api_design', 'database'] },
  { id: 'worker_003', name: 'DevOps Engineer', capabilities: ['docker', 'kubernetes', 'ci_cd'] },
  { id: 'worker_004', name: 'Security Specialist', capabilities: ['security', 'authentication', 'encryption'] },
];
/** A retry backoff no test outlives. */
const LONG_RETRY = { policy: 'fixed', baseSeconds: 600, maxSeconds: 600, jitter: 0 } as const;

const subtasksOf = async (baton: Baton, id: number) => (await baton.listTasks({ parentId: id, limit: 1000 })).tasks;

/** Claims and completes tasks as `workerId` with exactly `capabilities` until nothing is left; returns their ids. */
async function drain(baton: Baton, workerId: string, capabilities: string[]): Promise<number[]> {
  const done: number[] = [];
  for (let task = await baton.claim({ workerId, capabilities }); task; task = await baton.claim({ workerId, capabilities })) {
    await baton.complete(task.id, { workerId, token: task.lease?.token });
    done.push(task.id);
  }
  return done;
}

/** Work nobody is taking, claiming one task by id, and subtasks the parent's workers can claim. */
export function routingContract(store: () => StoreHarness): void {
  describe('routing: breakdown keeps subtasks claimable', () => {
    it('every subtask of a task needing C is claimed and completed by a worker with exactly C', async () => {
      const baton = await store().open();
      const caps = ['postgresql', 'database_design', 'sql'];
      const parent = await baton.createTask({
        title: 'Design the orders database schema',
        estimateMinutes: 40 * H,
        capabilities: caps,
      });
      const subs = await subtasksOf(baton, parent.id);
      expect(subs.length).toBeGreaterThan(1);
      for (const s of subs) expect(s.capabilities).toEqual(caps);
      const done = await drain(baton, 'dba', caps);
      expect(done.sort((a, b) => a - b)).toEqual(subs.map((s) => s.id).sort((a, b) => a - b));
      expect((await baton.getTask(parent.id)).status).toBe('completed');
    });

    it("breakdown.capabilities of the config maps a step's label to this store's capabilities", async () => {
      const baton = await store().openWithConfig({ breakdown: { capabilities: { database: ['sql'], ops: 'postgresql' } } });
      const caps = ['postgresql', 'database_design', 'sql'];
      const parent = await baton.createTask({
        title: 'Design the orders database schema',
        estimateMinutes: 40 * H,
        capabilities: caps,
      });
      const subs = await subtasksOf(baton, parent.id);
      const backup = subs.find((s) => s.title.startsWith('Set up backup and restore'));
      const schema = subs.find((s) => s.title.startsWith('Design '));
      // `database` steps need only `sql` (narrowed); the backup step (`database`, `ops`) needs both mapped ones.
      expect(schema?.capabilities).toEqual(['sql']);
      expect(backup?.capabilities).toEqual(['sql', 'postgresql']);
      const first = await baton.claim({ workerId: 'sql-only', capabilities: ['sql'] });
      expect(first?.id).toBe(schema?.id);
      await baton.complete(first?.id as number, { workerId: 'sql-only', token: first?.lease?.token });
      // Whoever could claim the parent still claims every one of them.
      await drain(baton, 'dba', caps);
      expect((await baton.getTask(parent.id)).status).toBe('completed');
    });
  });

  describe('routing: stuck work is reported', () => {
    it('status counts ready tasks needing capabilities no online worker has, and retry backoffs', async () => {
      const baton = await store().open();
      for (const w of CREW) await baton.registerWorker(w);
      for (let i = 0; i < 3; i++) await baton.createTask({ title: `Docs ${i}`, capabilities: ['docs'] });
      await baton.createTask({ title: 'Rust port', capabilities: ['rust', 'docs'] });
      await baton.createTask({ title: 'Split skills', capabilities: ['react', 'python'] });
      await baton.createTask({ title: 'API', capabilities: ['python'] });
      const flaky = await baton.createTask({ title: 'Flaky', maxRetries: 3, retryPolicy: { ...LONG_RETRY } });
      const claimed = await baton.claimTask(flaky.id, { workerId: 'worker_003' });
      const failed = await baton.fail(flaky.id, { workerId: 'worker_003', token: claimed.lease?.token, error: 'timeout' });
      const { stuck } = await baton.status();
      expect(stuck.unclaimable).toEqual({ tasks: 5, capabilities: { docs: 4, rust: 1, python: 1 } });
      expect(stuck.backoff).toEqual({ tasks: 1, nextAt: failed.runAfter });
      expect(stuck.messages).toContain('5 ready tasks need capabilities no online worker has: docs ×4, python ×1, rust ×1');
      expect(stuck.messages).toContain(`1 task waits for a retry backoff (the first until ${failed.runAfter})`);
    });

    it('show says why a ready task is not being taken', async () => {
      const baton = await store().open();
      for (const w of CREW) await baton.registerWorker(w);
      const docs = await baton.createTask({ title: 'Docs', capabilities: ['docs', 'react'] });
      expect((await baton.showTask(docs.id)).waiting).toMatchObject({
        reason: 'no_capable_worker',
        capabilities: ['docs'],
        message: 'no online worker has docs',
      });
      const ui = await baton.createTask({ title: 'UI', capabilities: ['react'] });
      expect((await baton.showTask(ui.id)).waiting).toBeNull();
      const later = await baton.createTask({ title: 'Later', dependsOn: [ui.id] });
      expect((await baton.showTask(later.id)).waiting).toMatchObject({ reason: 'blocked', blockedBy: [ui.id] });
      const flaky = await baton.createTask({ title: 'Flaky', retryPolicy: { ...LONG_RETRY } });
      const claimed = await baton.claimTask(flaky.id, { workerId: 'worker_001' });
      const failed = await baton.fail(flaky.id, { workerId: 'worker_001', token: claimed.lease?.token, error: 'boom' });
      expect((await baton.showTask(flaky.id)).waiting).toMatchObject({ reason: 'backoff', until: failed.runAfter });
    });
  });

  describe('routing: claiming one task by id', () => {
    it('claims the named task, not the best one, with a lease, a fencing token and a claimed event', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'Urgent', priority: 'critical' });
      const low = await baton.createTask({ title: 'Chosen', priority: 'low', capabilities: ['docs'] });
      const claimed = await baton.claimTask(low.id, { workerId: 'alice', capabilities: ['docs', 'python'], leaseSeconds: 120 });
      expect(claimed).toMatchObject({ id: low.id, status: 'executing', assignee: 'alice', attempts: 1 });
      expect(claimed.lease).toMatchObject({ owner: 'alice', token: 1, seconds: 120 });
      const events = await baton.events({ taskId: low.id });
      expect(events.at(-1)).toMatchObject({ type: 'claimed', workerId: 'alice' });
      // It is held like any claim: the token fences the writes.
      const done = await baton.complete(low.id, { workerId: 'alice', token: claimed.lease?.token });
      expect(done.status).toBe('completed');
      // A task reserved for this worker is claimed by it.
      await baton.registerWorker({ id: 'bob' });
      const mine = await baton.createTask({ title: "Bob's" });
      await baton.assignTask(mine.id, 'bob');
      expect(await baton.claimTask(mine.id, { workerId: 'bob' })).toMatchObject({ id: mine.id, status: 'executing' });
    });

    it('refuses, with the reason and changing nothing, a task the worker may not claim now', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1', capabilities: ['python'] });
      await baton.registerWorker({ id: 'w2', capabilities: ['python'] });
      const first = await baton.createTask({ title: 'First' });
      const blocked = await baton.createTask({ title: 'Blocked', dependsOn: [first.id] });
      const reserved = await baton.createTask({ title: 'For w2' });
      await baton.assignTask(reserved.id, 'w2');
      const rust = await baton.createTask({ title: 'Rust', capabilities: ['rust'] });
      const flaky = await baton.createTask({ title: 'Flaky', retryPolicy: { ...LONG_RETRY } });
      const held = await baton.claimTask(flaky.id, { workerId: 'w2' });
      await baton.fail(flaky.id, { workerId: 'w2', token: held.lease?.token, error: 'boom' });
      const taken = await baton.claimTask(first.id, { workerId: 'w2' });

      const blockedErr = await expectRefusedUnchanged(
        baton,
        () => baton.claimTask(blocked.id, { workerId: 'w1' }),
        'task_blocked',
      );
      expect(blockedErr.message).toContain(`#${first.id}`);
      const reservedErr = await expectRefusedUnchanged(
        baton,
        () => baton.claimTask(reserved.id, { workerId: 'w1' }),
        'task_reserved',
      );
      expect(reservedErr.message).toContain('w2');
      const capsErr = await expectRefusedUnchanged(
        baton,
        () => baton.claimTask(rust.id, { workerId: 'w1' }),
        'missing_capabilities',
      );
      expect(capsErr.message).toContain('rust');
      await expectRefusedUnchanged(baton, () => baton.claimTask(flaky.id, { workerId: 'w1' }), 'task_not_due');
      await expectRefusedUnchanged(baton, () => baton.claimTask(taken.id, { workerId: 'w1' }), 'illegal_transition');
      await expectRefusedUnchanged(baton, () => baton.claimTask(999_999, { workerId: 'w1' }), 'task_not_found');
      await expectRefusedUnchanged(
        baton,
        () => baton.claimTask(rust.id, { workerId: 'bad id!' }),
        'invalid_argument',
        'workerId',
      );
    });

    it('of many workers claiming one task at once, exactly one holds it', async () => {
      const baton = await store().open();
      for (let round = 0; round < 5; round++) {
        const task = await baton.createTask({ title: `Contested ${round}` });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => baton.claimTask(task.id, { workerId: `racer-${i}` })),
        );
        const won = results.filter((r): r is PromiseFulfilledResult<Task> => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('illegal_transition');
        }
        const claims = (await baton.events({ taskId: task.id })).filter((e) => e.type === 'claimed');
        expect(claims).toHaveLength(1);
        expect((await baton.getTask(task.id)).lease).toMatchObject({ owner: won[0]?.value.assignee, token: 1 });
      }
    });

    it('racing next, a claim by id never gives a task two holders', async () => {
      const baton = await store().open();
      for (let round = 0; round < 5; round++) {
        const task = await baton.createTask({ title: `Contested ${round}` });
        const byId = Array.from({ length: 4 }, (_, i) => baton.claimTask(task.id, { workerId: `picker-${i}` }));
        const byNext = Array.from({ length: 4 }, (_, i) => baton.claim({ workerId: `next-${i}` }));
        const results = await Promise.allSettled([...byId, ...byNext]);
        const holders = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
        expect(holders).toHaveLength(1);
        const claims = (await baton.events({ taskId: task.id })).filter((e) => e.type === 'claimed');
        expect(claims).toHaveLength(1);
        const err = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (err) expect((err.reason as { code: string }).code).toBe('illegal_transition');
        // Drain it so the next round's queue holds one task only.
        const t = await baton.getTask(task.id);
        await baton.complete(task.id, { workerId: t.lease?.owner as string, token: t.lease?.token });
      }
      expect(await refusal(baton.claimTask(1, { workerId: 'late' }))).toMatchObject({ code: 'illegal_transition' });
    });
  });
}
