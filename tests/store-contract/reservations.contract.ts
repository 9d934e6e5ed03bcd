import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { LIMITS } from '../../src/core/limits.js';
import type { TaskEvent } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness, sleep, waitPast } from './harness.js';

/** Hybrid assignment, and workers that count as offline after one silent second. */
const FAILOVER = { assignment: 'hybrid', heartbeatTimeout: 1 };
/** Longer than the heartbeat timeout of FAILOVER, with a margin for a busy machine. */
const PAST_TIMEOUT_MS = 1_500;

const lastOf = async (baton: Baton, id: number, type: string): Promise<TaskEvent | undefined> =>
  (await baton.events({ taskId: id })).filter((e) => e.type === type).at(-1);

/** Reads until `check` holds (a server sweeps on its own timer), for at most `ms`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await sleep(50);
  }
}

/**
 * Reservations (`assign`, `add --assign`, hybrid push) and what ends them: `unassign`, the worker
 * stopping, the worker going offline; the checks a reservation passes; one live process per
 * worker id.
 */
export function reservationContract(store: () => StoreHarness): void {
  describe('reservations', () => {
    it('unassign sends a reserved task back to the shared queue, with an event saying why', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'alice' });
      const task = await baton.createTask({ title: 'For Alice' });
      await baton.assignTask(task.id, 'alice');
      const freed = await baton.unassignTask(task.id, { reason: 'alice is on leave' });
      expect(freed).toMatchObject({ status: 'queued', assignee: null, reservedFor: null });
      expect(await lastOf(baton, task.id, 'unassigned')).toMatchObject({
        data: { worker: 'alice', reason: 'requested', note: 'alice is on leave' },
        changes: { status: ['assigned', 'queued'], reservedFor: ['alice', null] },
      });
      expect(await baton.claim({ workerId: 'bob' })).toMatchObject({ id: task.id, status: 'executing' });
    });

    it('unassign refuses a task that is not reserved, an unknown task and a reason too long, changing nothing', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Nobody in particular' });
      await expectRefusedUnchanged(baton, () => baton.unassignTask(task.id), 'illegal_transition');
      await expectRefusedUnchanged(baton, () => baton.unassignTask(task.id + 100), 'task_not_found');
      await baton.registerWorker({ id: 'alice' });
      await baton.assignTask(task.id, 'alice');
      const tooLong = { reason: 'x'.repeat(LIMITS.reasonChars + 1) };
      await expectRefusedUnchanged(baton, () => baton.unassignTask(task.id, tooLong), 'invalid_argument', 'reason');
    });

    it('a worker that stops gives its reservations back to the queue (worker_stopped)', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'leaving', capabilities: ['python'] });
      const task = await baton.createTask({ title: 'Reserved', capabilities: ['python'], assignee: 'leaving' });
      expect(task).toMatchObject({ status: 'assigned', reservedFor: 'leaving' });
      await baton.unregisterWorker('leaving');
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'queued', reservedFor: null, assignee: null });
      expect(await lastOf(baton, task.id, 'unassigned')).toMatchObject({ data: { worker: 'leaving', reason: 'worker_stopped' } });
    });

    it('a worker gone silent past the heartbeat timeout gives its reservations back (worker_offline)', async () => {
      const baton = await store().openWithConfig(FAILOVER);
      await baton.registerWorker({ id: 'silent' });
      const task = await baton.createTask({ title: 'Reserved', assignee: 'silent' });
      expect(task.status).toBe('assigned');
      await sleep(PAST_TIMEOUT_MS);
      // Every view agrees at once: a read sweeps first (and a server also sweeps on a timer).
      const listed = (await baton.listTasks({})).tasks.find((t) => t.id === task.id);
      expect(listed).toMatchObject({ status: 'queued', reservedFor: null });
      expect(await lastOf(baton, task.id, 'unassigned')).toMatchObject({ data: { worker: 'silent', reason: 'worker_offline' } });
      expect(await baton.claim({ workerId: 'other' })).toMatchObject({ id: task.id });
    });

    it('the expired lease of a task reserved for an offline worker sends it to the shared queue', async () => {
      const baton = await store().openWithConfig(FAILOVER);
      await baton.registerWorker({ id: 'crashed' });
      const task = await baton.createTask({ title: 'Reserved', assignee: 'crashed' });
      const claimed = await baton.claim({ workerId: 'crashed', leaseSeconds: 2 });
      expect(claimed).toMatchObject({ id: task.id, reservedFor: 'crashed' });
      await waitPast(baton, claimed!.lease!.expiresAt);
      await baton.expireLeases();
      const after = await eventually(
        () => baton.getTask(task.id),
        (t) => t.status === 'queued',
      );
      expect(after).toMatchObject({ status: 'queued', reservedFor: null, lease: null });
      const types = (await baton.events({ taskId: task.id })).map((e) => e.type);
      expect(types.slice(-2)).toEqual(['lease_expired', 'unassigned']);
      expect(await lastOf(baton, task.id, 'unassigned')).toMatchObject({ data: { worker: 'crashed', reason: 'worker_offline' } });
    });

    it('the expired lease of a task reserved for an online worker keeps the reservation', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'busy' });
      const task = await baton.createTask({ title: 'Reserved', assignee: 'busy' });
      const claimed = await baton.claim({ workerId: 'busy', leaseSeconds: 0.3 });
      await waitPast(baton, claimed!.lease!.expiresAt);
      await baton.expireLeases();
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'assigned', reservedFor: 'busy' });
    });
  });

  describe('assign and add --assign agree', () => {
    it('both refuse a worker that never registered', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Open' });
      await expectRefusedUnchanged(baton, () => baton.assignTask(task.id, 'nobody'), 'worker_not_found');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'For nobody', assignee: 'nobody' }),
        'worker_not_found',
      );
    });

    it('both refuse a worker lacking the task capabilities (incapable_worker) unless forced', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'frontend', capabilities: ['react', 'typescript'] });
      const task = await baton.createTask({ title: 'Schema', capabilities: ['database'] });
      const byAssign = await expectRefusedUnchanged(baton, () => baton.assignTask(task.id, 'frontend'), 'incapable_worker');
      expect(byAssign.details).toMatchObject({ id: 'frontend', missing: ['database'] });
      const input = { title: 'Schema too', capabilities: ['database', 'react'], assignee: 'frontend' };
      const byCreate = await expectRefusedUnchanged(baton, () => baton.createTask(input), 'incapable_worker');
      expect(byCreate.details).toMatchObject({ missing: ['database'] });

      expect(await baton.assignTask(task.id, 'frontend', { force: true })).toMatchObject({ reservedFor: 'frontend' });
      expect(await baton.createTask({ ...input, force: true })).toMatchObject({ status: 'assigned', reservedFor: 'frontend' });
      expect(await baton.createTask({ title: 'UI', capabilities: ['react'], assignee: 'frontend' })).toMatchObject({
        reservedFor: 'frontend',
      });
    });
  });

  describe('hybrid push', () => {
    it('a critical task is reserved for the best online idle capable worker as it is created', async () => {
      const baton = await store().openWithConfig(FAILOVER);
      await baton.registerWorker({ id: 'backend', capabilities: ['python', 'api_design', 'database'] });
      await baton.registerWorker({ id: 'frontend', capabilities: ['react', 'typescript'] });
      const task = await baton.createTask({ title: 'Hotfix', priority: 'critical', capabilities: ['python'] });
      // Reserved in the same step that made it ready: no pulling worker ever sees it unreserved.
      expect(task).toMatchObject({ status: 'assigned', reservedFor: 'backend' });
      expect(await lastOf(baton, task.id, 'assigned')).toMatchObject({ data: { worker: 'backend', pushed: true } });
      expect(await baton.claim({ workerId: 'racer', capabilities: ['python'] })).toBeNull();
      expect(await baton.claim({ workerId: 'backend' })).toMatchObject({ id: task.id });
    });

    it('skips a worker gone offline, and pushes again when a reservation ends', async () => {
      const baton = await store().openWithConfig(FAILOVER);
      await baton.registerWorker({ id: 'a-crashed', capabilities: ['docker'] });
      await sleep(PAST_TIMEOUT_MS);
      await baton.registerWorker({ id: 'b-alive', capabilities: ['docker'] });
      const task = await baton.createTask({ title: 'Deploy fix', priority: 'critical', capabilities: ['docker'] });
      expect(task).toMatchObject({ status: 'assigned', reservedFor: 'b-alive' });
      // b-alive says goodbye: its reservation ends and nobody online can take it: the queue.
      await baton.unregisterWorker('b-alive');
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'queued', reservedFor: null });
      // A worker that comes online later gets it by pulling.
      expect(await baton.claim({ workerId: 'c-late', capabilities: ['docker'] })).toMatchObject({ id: task.id });
    });
  });

  describe('one live process per worker id', () => {
    it('a second process is refused (worker_id_in_use); replace takes over and the first learns it', async () => {
      const baton = await store().open();
      const first = { id: 'worker_001', name: 'Frontend Dev', capabilities: ['react'], host: 'h1', pid: 101 };
      await baton.registerWorker(first);
      const second = { id: 'worker_001', name: 'Impostor', capabilities: ['python'], host: 'h1', pid: 202 };
      await expectRefusedUnchanged(baton, () => baton.registerWorker(second), 'worker_id_in_use');
      // The first process re-registering (after an outage) is not another process.
      await baton.registerWorker(first);
      const taken = await baton.registerWorker({ ...second, replace: true });
      expect(taken).toMatchObject({ pid: 202, capabilities: ['python'], online: true });
      const err = await refusal(baton.claim({ workerId: 'worker_001', host: 'h1', pid: 101 }));
      expect(err.code).toBe('worker_replaced');
      expect(await baton.claim({ workerId: 'worker_001', host: 'h1', pid: 202 })).toBeNull();
    });
  });
}
