import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { LIMITS } from '../../src/core/limits.js';
import type { Task } from '../../src/core/types.js';
import { claimSoon, expectRefusedUnchanged, refusal, type StoreHarness, sleep, storeNow, waitPast } from './harness.js';

/**
 * A `runAfter`, backoff or lease this far ahead is still ahead after the few calls a test makes
 * before it checks, even through a server on a busy machine (a few hundred ms was not).
 */
const SOON_MS = 2_000;
const FAST_RETRY = { policy: 'fixed', baseSeconds: SOON_MS / 1000, maxSeconds: SOON_MS / 1000, jitter: 0 } as const;
const IMMEDIATE_RETRY = { policy: 'immediate', baseSeconds: 0, maxSeconds: 0, jitter: 0 } as const;

/** Claims every ready task one by one and returns their titles in the order they came. */
async function drainTitles(baton: Baton, workerId: string, capabilities?: string[]): Promise<string[]> {
  const titles: string[] = [];
  for (;;) {
    const task = await baton.claim({ workerId, capabilities });
    if (!task) return titles;
    titles.push(task.title);
  }
}

const tokenOf = (task: Task | null): number => {
  if (!task?.lease) throw new Error('expected a claimed task with a lease');
  return task.lease.token;
};

/** SPEC §4 claims, and the worker's writes under a lease. */
export function claimContract(store: () => StoreHarness): void {
  describe('claims: who may take what', () => {
    it('a worker claims only tasks whose capabilities it all has', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'UI work', capabilities: ['react', 'ui'] });
      expect(await baton.claim({ workerId: 'half', capabilities: ['react'] })).toBeNull();
      expect(await baton.claim({ workerId: 'none', capabilities: [] })).toBeNull();
      const claimed = await baton.claim({ workerId: 'full', capabilities: ['ui', 'react', 'python'] });
      expect(claimed).toMatchObject({ id: task.id, status: 'executing', assignee: 'full' });
      const open = await baton.createTask({ title: 'Anyone' });
      expect((await baton.claim({ workerId: 'none', capabilities: [] }))?.id).toBe(open.id);
    });

    it('a claim asking for tasks with a command never gets one without, reserved or not', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'runner' });
      const plain = await baton.createTask({ title: 'Think it over', priority: 'critical' });
      const reserved = await baton.createTask({ title: 'Reserved, no command', priority: 'critical' });
      await baton.assignTask(reserved.id, 'runner');
      const runnable = await baton.createTask({ title: 'Build', command: 'make', priority: 'low' });
      const more = await baton.createTask({ title: 'Test', command: 'make test', priority: 'low' });
      expect((await baton.claim({ workerId: 'runner', withCommand: true }))?.id).toBe(runnable.id);
      expect((await baton.claimMany({ workerId: 'runner', withCommand: true, limit: 5 })).map((t) => t.id)).toEqual([more.id]);
      expect(await baton.claim({ workerId: 'runner', withCommand: true, waitSeconds: 0.2 })).toBeNull();
      // Left for a worker that can do them, untouched.
      expect(await baton.getTask(plain.id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect((await baton.claimMany({ workerId: 'runner', limit: 5 })).map((t) => t.id).sort()).toEqual(
        [plain.id, reserved.id].sort(),
      );
    });

    it('a worker that gives no capabilities claims with those it registered', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'py-worker', capabilities: ['python'] });
      const task = await baton.createTask({ title: 'Python work', capabilities: ['python'] });
      expect((await baton.claim({ workerId: 'py-worker' }))?.id).toBe(task.id);
    });

    it('a task assigned to one worker is claimed by that worker only', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'alice' });
      const task = await baton.createTask({ title: 'For Alice' });
      const assigned = await baton.assignTask(task.id, 'alice');
      expect(assigned).toMatchObject({ status: 'assigned', assignee: 'alice', reservedFor: 'alice' });
      expect(await baton.claim({ workerId: 'bob' })).toBeNull();
      expect(await baton.claim({ workerId: 'alice' })).toMatchObject({ id: task.id, status: 'executing' });
    });

    it('a task is not claimable before its runAfter', async () => {
      const baton = await store().open();
      const runAfter = new Date((await storeNow(baton)) + SOON_MS).toISOString();
      const task = await baton.createTask({ title: 'Later', runAfter });
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      expect((await baton.listTasks({ ready: true })).total).toBe(0);
      await waitPast(baton, runAfter);
      expect((await baton.listTasks({ ready: true })).total).toBe(1);
      expect((await baton.claim({ workerId: 'w1' }))?.id).toBe(task.id);
    });

    it('claims by priority, oldest first within a priority', async () => {
      const baton = await store().open();
      for (const [title, priority] of [
        ['low', 'low'],
        ['normal-1', 'normal'],
        ['maintenance', 'maintenance'],
        ['critical', 'critical'],
        ['normal-2', 'normal'],
        ['high', 'high'],
      ] as const) {
        await baton.createTask({ title, priority });
      }
      expect(await drainTitles(baton, 'w1')).toEqual(['critical', 'high', 'normal-1', 'normal-2', 'low', 'maintenance']);
    });

    it('aging: an old low-priority task overtakes a newer higher one after enough wait', async () => {
      // One priority level per 120 ms of waiting, so the test need not wait hours.
      const baton = await store().openWithConfig({ aging: { minutesPerLevel: 0.002 } });
      await baton.createTask({ title: 'old low', priority: 'low' });
      await sleep(500); // > 2 levels (low → high) of waiting
      await baton.createTask({ title: 'new high', priority: 'high' });
      await baton.createTask({ title: 'new low', priority: 'low' });
      expect(await drainTitles(baton, 'w1')).toEqual(['old low', 'new high', 'new low']);
    });

    it('among tasks ready at the same moment and priority, the best fit goes first, then the lowest id', async () => {
      const baton = await store().open();
      const runAfter = new Date((await storeNow(baton)) + SOON_MS).toISOString();
      for (const [title, capabilities] of [
        ['none', []],
        ['x', ['x']],
        ['xy-1', ['x', 'y']],
        ['xy-2', ['y', 'x']],
      ] as const) {
        await baton.createTask({ title, capabilities: [...capabilities], runAfter });
      }
      await waitPast(baton, runAfter);
      expect((await baton.listTasks({ ready: true })).tasks.map((t) => t.title)).toEqual(['xy-1', 'xy-2', 'x', 'none']);
      expect(await drainTitles(baton, 'w1', ['x', 'y'])).toEqual(['xy-1', 'xy-2', 'x', 'none']);
    });

    it('claimMany takes up to the limit, in claim order, and leaves the rest queued', async () => {
      const baton = await store().open();
      for (const priority of ['low', 'high', 'normal', 'critical', 'maintenance'] as const) {
        await baton.createTask({ title: priority, priority });
      }
      const claimed = await baton.claimMany({ workerId: 'w1', limit: 3 });
      expect(claimed.map((t) => t.title)).toEqual(['critical', 'high', 'normal']);
      expect(claimed.every((t) => t.status === 'executing' && t.lease?.owner === 'w1' && t.lease.token === 1)).toBe(true);
      expect((await baton.listTasks({ status: ['queued'] })).tasks.map((t) => t.title)).toEqual(['low', 'maintenance']);
      expect((await baton.claimMany({ workerId: 'w2', limit: 10 })).map((t) => t.title)).toEqual(['low', 'maintenance']);
      expect((await refusal(baton.claimMany({ workerId: 'w1', limit: 0 }))).code).toBe('invalid_argument');
    });

    it('concurrent claims never hand out the same task twice', async () => {
      const baton = await store().open();
      for (let i = 0; i < 5; i++) await baton.createTask({ title: `t${i}` });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => baton.claim({ workerId: `w${i}` })));
      const ids = results.filter((t): t is Task => t !== null).map((t) => t.id);
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);
    });
  });

  describe('claims: the lease and its fencing token', () => {
    it('the fencing token grows with every claim of a task', async () => {
      const baton = await store().open();
      // Retried at once, so the failed attempt is claimable again straight away.
      const task = await baton.createTask({ title: 'Reclaimed', retryPolicy: { ...IMMEDIATE_RETRY } });
      const tokens: number[] = [];
      const first = await baton.claim({ workerId: 'w1' });
      tokens.push(tokenOf(first));
      await baton.release(task.id, { workerId: 'w1', token: tokenOf(first) });
      const second = await baton.claim({ workerId: 'w2' });
      tokens.push(tokenOf(second));
      await baton.fail(task.id, { workerId: 'w2', token: tokenOf(second), error: 'flaky' });
      const third = await baton.claim({ workerId: 'w1', leaseSeconds: 0.2 });
      tokens.push(tokenOf(third));
      await waitPast(baton, third!.lease!.expiresAt);
      const fourth = await claimSoon(baton, 'w3');
      tokens.push(tokenOf(fourth));
      expect(tokens).toEqual([1, 2, 3, 4]);
      expect((await baton.getTask(task.id)).leaseToken).toBe(4);
    });

    it('heartbeat extends the lease of its holder only', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Long job' });
      const claimed = await baton.claim({ workerId: 'w1', leaseSeconds: 30 });
      await sleep(20);
      const renewed = await baton.heartbeat(task.id, { workerId: 'w1', token: tokenOf(claimed) });
      expect(Date.parse(renewed.lease!.expiresAt)).toBeGreaterThan(Date.parse(claimed!.lease!.expiresAt));
      expect(renewed.lease).toMatchObject({ owner: 'w1', token: 1, seconds: 30 });
      expect((await refusal(baton.heartbeat(task.id, { workerId: 'w2' }))).code).toBe('not_lease_holder');
      expect((await refusal(baton.heartbeat(task.id, { workerId: 'w1', token: 7 }))).code).toBe('stale_token');
    });

    it('progress records the percentage, notes and checkpoints, and renews the lease', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Report' });
      const claimed = await baton.claim({ workerId: 'w1', leaseSeconds: 30 });
      await sleep(20);
      const t = await baton.reportProgress(task.id, {
        workerId: 'w1',
        token: tokenOf(claimed),
        progress: 40,
        note: 'drafted',
        step: 'draft',
      });
      expect(t.progress).toBe(40);
      expect(t.notes).toMatchObject([{ by: 'w1', text: 'drafted' }]);
      expect(t.checkpoints).toMatchObject([{ by: 'w1', name: 'draft', progress: 40 }]);
      expect(Date.parse(t.lease!.expiresAt)).toBeGreaterThan(Date.parse(claimed!.lease!.expiresAt));
      expect(await baton.getTask(task.id)).toEqual(t);
    });

    it('complete stores the result and artifacts and ends the lease; a second complete is refused', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Build' });
      const claimed = await baton.claim({ workerId: 'w1' });
      const done = await baton.complete(task.id, {
        workerId: 'w1',
        token: tokenOf(claimed),
        result: { size: 12, files: ['a.js'] },
        artifacts: ['dist/a.js'],
      });
      expect(done).toMatchObject({ status: 'completed', progress: 100, lease: null, result: { size: 12, files: ['a.js'] } });
      expect(done.artifacts).toMatchObject([{ by: 'w1', path: 'dist/a.js' }]);
      expect(done.completedAt).not.toBeNull();
      expect(await baton.getTask(task.id)).toEqual(done);
      expect((await refusal(baton.complete(task.id, { workerId: 'w1', token: tokenOf(claimed) }))).code).toBe(
        'illegal_transition',
      );
    });

    it('fail requeues after the backoff while retries are left, then fails for good', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Flaky', maxRetries: 1, retryPolicy: { ...FAST_RETRY } });
      const first = await baton.claim({ workerId: 'w1' });
      const retried = await baton.fail(task.id, { workerId: 'w1', token: tokenOf(first), error: 'timeout' });
      expect(retried).toMatchObject({ status: 'queued', retries: 1, lastError: 'timeout', lease: null });
      expect(Date.parse(retried.runAfter!) - Date.parse(retried.updatedAt)).toBe(SOON_MS);
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      await waitPast(baton, retried.runAfter!);
      const second = await baton.claim({ workerId: 'w2' });
      expect(second).toMatchObject({ id: task.id, attempts: 2 });
      const failed = await baton.fail(task.id, { workerId: 'w2', token: tokenOf(second), error: 'timeout again' });
      expect(failed).toMatchObject({ status: 'failed', lastError: 'timeout again', lease: null });
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      expect((await baton.retryTask(task.id)).status).toBe('queued');
    });

    it('release gives the task back at once, for any worker to claim with a new token', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Handed back' });
      const claimed = await baton.claim({ workerId: 'w1' });
      const released = await baton.release(task.id, { workerId: 'w1', token: tokenOf(claimed) });
      expect(released).toMatchObject({ status: 'queued', lease: null, assignee: null });
      expect(await baton.claim({ workerId: 'w2' })).toMatchObject({ id: task.id, lease: { owner: 'w2', token: 2 } });
    });

    it("an expired lease is requeued by expireLeases (or a server's own sweep), counting the attempt", async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Abandoned' });
      const claimed = await baton.claim({ workerId: 'ghost', leaseSeconds: SOON_MS / 1000 });
      expect(await baton.expireLeases()).toEqual([]);
      await waitPast(baton, claimed!.lease!.expiresAt);
      // A running server sweeps expired leases by itself within a second: it may have done so already.
      const late = (await refusal(baton.heartbeat(task.id, { workerId: 'ghost', token: 1 }))).code;
      expect(['lease_expired', 'illegal_transition']).toContain(late);
      expect([[task.id], []]).toContainEqual(await baton.expireLeases());
      const requeued = await baton.getTask(task.id);
      expect(requeued).toMatchObject({ status: 'queued', lease: null, retries: 1, leaseToken: 1 });
      expect(requeued.lastError).toContain('ghost');
      const event = (await baton.events({ taskId: task.id })).at(-1);
      expect(event).toMatchObject({ type: 'lease_expired', workerId: 'ghost', changes: { status: ['executing', 'queued'] } });
      expect(await baton.expireLeases()).toEqual([]);
    });

    it('an expired lease fails the task when no retries are left', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Last chance', maxRetries: 0 });
      const claimed = await baton.claim({ workerId: 'ghost', leaseSeconds: 0.2 });
      await waitPast(baton, claimed!.lease!.expiresAt);
      expect([[task.id], []]).toContainEqual(await baton.expireLeases());
      expect((await baton.getTask(task.id)).status).toBe('failed');
    });

    it('after expiry the same worker claims again and its old token is stale', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Reclaimed by its worker' });
      const old = await baton.claim({ workerId: 'w1', leaseSeconds: 0.2 });
      await waitPast(baton, old!.lease!.expiresAt);
      const fresh = await claimSoon(baton, 'w1');
      expect(fresh).toMatchObject({ id: task.id, lease: { token: 2 } });
      expect((await refusal(baton.complete(task.id, { workerId: 'w1', token: tokenOf(old), result: 'old' }))).code).toBe(
        'stale_token',
      );
      expect((await baton.complete(task.id, { workerId: 'w1', token: tokenOf(fresh), result: 'new' })).result).toBe('new');
    });

    it('pause takes a task out of the queue and resume puts it back', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'On hold' });
      expect((await baton.pauseTask(task.id)).status).toBe('paused');
      expect(await baton.claim({ workerId: 'w1' })).toBeNull();
      expect((await baton.resumeTask(task.id)).status).toBe('queued');
    });

    it('pausing a task a worker runs ends its attempt: the worker is told task_paused, nothing counts as failed, resume requeues it', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Long run', maxRetries: 1 });
      const claimed = await baton.claim({ workerId: 'w1' });
      const lease = { workerId: 'w1', token: tokenOf(claimed) };
      await baton.reportProgress(task.id, { ...lease, progress: 40, note: 'halfway' });

      const paused = await baton.pauseTask(task.id);
      expect(paused).toMatchObject({ status: 'paused', lease: null, progress: 40, retries: 0, attempts: 1, lastError: null });
      expect(paused.notes.map((n) => n.text)).toEqual(['halfway']);
      // Every write of the worker is refused with the code that says why, and changes nothing. Each
      // refusal is caught as it is made: they come back in any order.
      for (const write of [
        refusal(baton.heartbeat(task.id, lease)),
        refusal(baton.reportProgress(task.id, { ...lease, progress: 60 })),
        refusal(baton.complete(task.id, { ...lease, result: 'late' })),
        refusal(baton.fail(task.id, { ...lease, error: 'late' })),
      ]) {
        expect((await write).code).toBe('task_paused');
      }
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'paused', progress: 40, result: null, retries: 0 });
      const history = (await baton.showTask(task.id)).history.filter((e) => e.type === 'paused');
      expect(history.at(-1)).toMatchObject({ workerId: 'w1', data: { worker: 'w1', token: lease.token, attempt: 1 } });
      expect(await baton.claim({ workerId: 'w2' })).toBeNull();

      expect(await baton.resumeTask(task.id)).toMatchObject({ status: 'queued', lease: null, progress: 40, retries: 0 });
      const again = await baton.claim({ workerId: 'w2' });
      expect(again).toMatchObject({
        id: task.id,
        status: 'executing',
        attempts: 2,
        lease: { owner: 'w2', token: lease.token + 1 },
      });
      // The old attempt stays fenced off: its token is stale now.
      expect((await refusal(baton.heartbeat(task.id, lease))).code).toBe('not_lease_holder');
    });
  });

  describe('attempt logs sent by the worker', () => {
    it('keeps what the lease holder sends for its attempt, refuses anyone else and bad pieces, and stops at the size limit', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Logged run' });
      const claimed = await baton.claim({ workerId: 'w1' });
      const piece = { workerId: 'w1', token: tokenOf(claimed), attempt: 1 };
      const marker = `run ${Math.random().toString(36).slice(2)}`;
      await baton.appendAttemptLog(task.id, { ...piece, text: `${marker}: line A\n` });
      const second = await baton.appendAttemptLog(task.id, { ...piece, text: '  line B, as printed \n' });
      expect(second).toMatchObject({ taskId: task.id, attempt: 1 });
      const kept = await baton.attemptLog(task.id, { attempt: 1 });
      expect(kept.text).toContain(`${marker}: line A\n  line B, as printed `);

      for (const [input, code] of [
        [{ ...piece, attempt: 2, text: 'x' }, 'invalid_argument'],
        [{ ...piece, text: '' }, 'invalid_argument'],
        [{ ...piece, text: 'nul \u0000 here' }, 'invalid_argument'],
        [{ ...piece, text: 'x'.repeat(LIMITS.logChunkChars + 1) }, 'invalid_argument'],
        [{ ...piece, workerId: 'w2' }, 'not_lease_holder'],
        [{ ...piece, token: piece.token + 1, text: 'x' }, 'stale_token'],
      ] as const) {
        expect((await refusal(baton.appendAttemptLog(task.id, { text: 'x', ...input }))).code).toBe(code);
      }
      expect((await baton.attemptLog(task.id, { attempt: 1 })).text).toBe(kept.text);

      // An attempt's log holds at most LIMITS.attemptLogBytes: the piece that would pass it is refused, unwritten.
      const big = `${'y'.repeat(LIMITS.logChunkChars - 1)}\n`;
      let bytes = second.bytes;
      let refused: string | null = null;
      for (let i = 0; i <= LIMITS.attemptLogBytes / big.length + 1 && refused === null; i++) {
        try {
          bytes = (await baton.appendAttemptLog(task.id, { ...piece, text: big })).bytes;
        } catch (err) {
          refused = (err as { code: string }).code;
        }
      }
      expect(refused).toBe('payload_too_large');
      expect(bytes).toBeLessThanOrEqual(LIMITS.attemptLogBytes);
      expect(bytes + big.length).toBeGreaterThan(LIMITS.attemptLogBytes);

      // Once the attempt is reported, its lease is gone: nothing more is added.
      await baton.complete(task.id, { workerId: 'w1', token: piece.token });
      expect((await refusal(baton.appendAttemptLog(task.id, { ...piece, text: 'late' }))).code).toBe('illegal_transition');
      expect((await refusal(baton.attemptLog(task.id, { attempt: 7 }))).code).toBe('log_not_found');
      expect((await refusal(baton.attemptLog(999_999))).code).toBe('task_not_found');
    });
  });

  describe('review', () => {
    it('needs a different worker; a fail sends the task back with the feedback, a pass completes it', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Reviewed work', review: true });
      const first = await baton.claim({ workerId: 'author' });
      const submitted = await baton.complete(task.id, { workerId: 'author', token: tokenOf(first), result: { v: 1 } });
      expect(submitted).toMatchObject({ status: 'reviewing', progress: 100, review: { submittedBy: 'author', verdict: null } });
      expect(await baton.claim({ workerId: 'other' })).toBeNull();

      expect((await refusal(baton.review(task.id, { workerId: 'author', pass: true }))).code).toBe('invalid_reviewer');
      const sentBack = await baton.review(task.id, { workerId: 'reviewer', pass: false, feedback: 'needs tests' });
      expect(sentBack).toMatchObject({
        status: 'queued',
        review: { verdict: 'fail', feedback: 'needs tests', reviewer: 'reviewer' },
      });
      expect(sentBack.notes.at(-1)).toMatchObject({ by: 'reviewer' });
      expect(sentBack.notes.at(-1)?.text).toContain('needs tests');

      const second = await baton.claim({ workerId: 'author' });
      expect(second).toMatchObject({ id: task.id, lease: { token: 2 } });
      await baton.complete(task.id, { workerId: 'author', token: tokenOf(second), result: { v: 2 } });
      const passed = await baton.review(task.id, { workerId: 'reviewer', pass: true, score: 90 });
      expect(passed).toMatchObject({ status: 'completed', result: { v: 2 }, review: { verdict: 'pass', score: 90 } });
      expect(passed.completedAt).not.toBeNull();
      expect((await refusal(baton.review(task.id, { workerId: 'reviewer', pass: true }))).code).toBe('illegal_transition');

      const types = (await baton.events({ taskId: task.id })).map((e) => e.type);
      expect(types).toEqual(['created', 'claimed', 'completed', 'review_failed', 'claimed', 'completed', 'review_passed']);
    });
  });

  describe("a worker's own heartbeat", () => {
    it('records the memory and CPU its process uses, keeps it online, and never revives a worker that said goodbye', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1' });
      expect((await baton.listWorkers())[0]?.usage).toBeNull();
      const before = await storeNow(baton);
      const view = await baton.heartbeatWorker({
        workerId: 'w1',
        usage: { rssBytes: 52_428_800, heapUsedBytes: 9_000_000, cpuPercent: 12.5 },
      });
      expect(view).toMatchObject({
        id: 'w1',
        online: true,
        usage: { rssBytes: 52_428_800, heapUsedBytes: 9_000_000, cpuPercent: 12.5 },
      });
      const [listed] = await baton.listWorkers();
      expect(listed?.usage).toEqual(view.usage);
      expect(Date.parse(listed?.usage?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
      // Only registrations and goodbyes are events: heartbeats would flood the log.
      const types = (await baton.events()).map((e) => e.type);
      expect(types).toEqual(['worker_registered']);

      await baton.unregisterWorker('w1');
      const late = await baton.heartbeatWorker({ workerId: 'w1', usage: { rssBytes: 1, cpuPercent: 0 } });
      expect(late).toMatchObject({ state: 'stopped', online: false, usage: { rssBytes: 1, heapUsedBytes: 0 } });
    });

    it('is refused for an unknown worker or a malformed report, changing nothing', async () => {
      const baton = await store().open();
      await baton.registerWorker({ id: 'w1' });
      await expectRefusedUnchanged(
        baton,
        () => baton.heartbeatWorker({ workerId: 'ghost', usage: { rssBytes: 1, cpuPercent: 1 } }),
        'worker_not_found',
      );
      const negative = { workerId: 'w1', usage: { rssBytes: -1, cpuPercent: 1 } };
      await expectRefusedUnchanged(baton, () => baton.heartbeatWorker(negative), 'invalid_argument', 'usage.rssBytes');
      const huge = { workerId: 'w1', usage: { rssBytes: 1, cpuPercent: LIMITS.cpuPercent + 1 } };
      await expectRefusedUnchanged(baton, () => baton.heartbeatWorker(huge), 'invalid_argument', 'usage.cpuPercent');
      const text = { workerId: 'w1', usage: { rssBytes: '1 GB', cpuPercent: 1 } } as never;
      await expectRefusedUnchanged(baton, () => baton.heartbeatWorker(text), 'invalid_argument', 'usage.rssBytes');
    });
  });
}
