import { describe, expect, it } from 'vitest';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

const QUEUES = {
  limits: { maxExecuting: 3 },
  queues: {
    deploy: { maxSize: 2, maxExecuting: 1, timeout: '30m', maxRetries: 5, retry: { policy: 'fixed', base: 7 } },
    urgent: { priorityBoost: 2 },
  },
};

/** System pauses, named queues, their caps and `limits.maxExecuting` (`core/queues.ts`). */
export function queueContract(store: () => StoreHarness): void {
  describe('system pause and named queues', () => {
    it('a pause stops claims (of all, or of one queue) until resumed, and status and queues say so', async () => {
      const baton = await store().open();
      const build = await baton.createTask({ title: 'Build' });
      const ship = await baton.createTask({ title: 'Ship', queue: 'deploy', priority: 'critical' });
      expect([build.queue, ship.queue]).toEqual(['default', 'deploy']);

      const paused = await baton.pauseClaims();
      expect(paused.paused).toBe(true);
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      expect((await refusal(baton.claimTask(build.id, { workerId: 'w1' }))).code).toBe('queue_paused');
      expect((await baton.status()).pauses).toEqual([expect.objectContaining({ queue: null, pausedBy: store().actor })]);
      // Pausing twice is pausing once.
      expect((await baton.pauseClaims()).pauses).toHaveLength(1);

      await baton.pauseClaims({ queue: 'deploy' });
      const report = await baton.resumeClaims();
      expect(report.paused).toBe(false);
      expect(report.queues.map((q) => [q.name, q.depth, q.paused])).toEqual([
        ['default', 1, false],
        ['deploy', 1, true],
      ]);
      // The critical task waits in the paused queue; the other queue is served.
      expect((await baton.claim({ workerId: 'w1' }))?.id).toBe(build.id);
      expect(await baton.claim({ workerId: 'w2' })).toBeNull();
      await baton.resumeClaims({ queue: 'deploy' });
      expect((await baton.claim({ workerId: 'w2' }))?.id).toBe(ship.id);
      expect((await baton.status()).pauses).toEqual([]);
      expect((await refusal(baton.pauseClaims({ queue: 'Not A Queue' }))).code).toBe('invalid_argument');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'Bad', queue: 'Not A Queue' }),
        'invalid_argument',
        'queue',
      );
      expect((await refusal(baton.claim({ workerId: 'w3', queues: [] }))).code).toBe('invalid_argument');
      // A recurring task's occurrences wait in its queue.
      const nightly = await baton.createTask({ title: 'Nightly deploy', every: '0 3 * * *', queue: 'deploy' });
      const occurrence = await baton.getTask(nightly.recurrence?.occurrenceId as number);
      expect([nightly.queue, occurrence.queue]).toEqual(['deploy', 'deploy']);
    });

    it('a worker waiting for work while paused, or at a cap, gets a task soon after the resume or the freed slot', async () => {
      const baton = await store().openWithConfig({ limits: { maxExecuting: 1 } });
      const first = await baton.createTask({ title: 'First' });
      await baton.createTask({ title: 'Second' });
      await baton.pauseClaims();
      const started = Date.now();
      const waiting = baton.claim({ workerId: 'w1', waitSeconds: 10 });
      setTimeout(() => void baton.resumeClaims(), 300);
      expect((await waiting)?.id).toBe(first.id);
      const next = baton.claim({ workerId: 'w2', waitSeconds: 10 });
      setTimeout(() => void baton.complete(first.id, { workerId: 'w1' }), 300);
      expect((await next)?.title).toBe('Second');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('queues: a full queue refuses new tasks, queue defaults apply, workers may serve some queues', async () => {
      const baton = await store().openWithConfig(QUEUES);
      const a = await baton.createTask({ title: 'Deploy A', queue: 'deploy' });
      expect(a).toMatchObject({ timeoutSeconds: 1800, maxRetries: 5, retryPolicy: { policy: 'fixed', baseSeconds: 7 } });
      await baton.createTask({ title: 'Deploy B', queue: 'deploy', maxRetries: 1 });
      const full = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'Deploy C', queue: 'deploy' }),
        'queue_full',
      );
      expect(full).toMatchObject({ code: 'queue_full', details: { queue: 'deploy', maxSize: 2 } });
      const other = await baton.createTask({ title: 'Docs' });

      expect(await baton.claim({ workerId: 'w0', queues: ['nightly'] })).toBeNull();
      expect((await baton.claim({ workerId: 'w1', queues: ['default'] }))?.id).toBe(other.id);
      const deploy = await baton.claim({ workerId: 'w2', queues: ['deploy', 'default'] });
      expect(deploy?.queue).toBe('deploy');
      // The queue's cap (1) holds, for the pool and for one task by id.
      expect(await baton.claim({ workerId: 'w3' })).toBeNull();
      const waiting = (await baton.listTasks({ status: ['queued'] })).tasks[0];
      expect((await refusal(baton.claimTask(waiting?.id as number, { workerId: 'w3' }))).code).toBe('executing_limit');
      // A slot freed in the queue lets a new task in too.
      await baton.complete(deploy?.id as number, { workerId: 'w2' });
      await baton.createTask({ title: 'Deploy C', queue: 'deploy' });
      const report = await baton.queues();
      expect(report.maxExecuting).toBe(3);
      expect(report.queues.find((q) => q.name === 'deploy')).toMatchObject({ depth: 2, executing: 0, waiting: 2 });
    });

    it('limits.maxExecuting caps leased tasks executing at once, in one claim of many too', async () => {
      const baton = await store().openWithConfig(QUEUES);
      for (let i = 0; i < 5; i++) await baton.createTask({ title: `Job ${i}`, priority: 'high' });
      // Its queue's priorityBoost (2 levels) puts a normal task ahead of the older high ones.
      const hotfix = await baton.createTask({ title: 'Hotfix', queue: 'urgent' });
      const first = await baton.claimMany({ workerId: 'w1', limit: 5 });
      expect(first.map((t) => t.title)).toEqual(['Hotfix', 'Job 0', 'Job 1']);
      expect(first[0]?.id).toBe(hotfix.id);
      expect(await baton.claimMany({ workerId: 'w2', limit: 5 })).toHaveLength(0);
      expect((await baton.queues()).executing).toBe(3);
    });
  });
}
