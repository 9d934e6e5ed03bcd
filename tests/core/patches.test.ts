import { describe, expect, it } from 'vitest';
import {
  cancelPatch,
  completePatch,
  diff,
  expirePatch,
  failPatch,
  pausePatch,
  releasePatch,
  resumePatch,
  retryPatch,
  reviewPatch,
} from '../../src/core/lifecycle.js';
import { claimOrder } from '../../src/core/ordering.js';
import type { RetryPolicySpec } from '../../src/core/types.js';
import { clockAt, executingTask, iso, makeTask, NOW, thrown } from '../helpers/task.js';

const EXPONENTIAL: RetryPolicySpec = { policy: 'exponential', baseSeconds: 10, maxSeconds: 600, jitter: 0 };
const clock = clockAt(NOW, { retry: EXPONENTIAL });

describe('failPatch: retries with backoff, then failed', () => {
  it('requeues with runAfter = now + backoff while retries are left', () => {
    const patch = failPatch(executingTask('w1', 1), 'boom', clock, 0.5);
    expect(patch).toMatchObject({
      status: 'queued',
      retries: 1,
      lastError: 'boom',
      lease: null,
      assignee: null,
      runAfter: iso(NOW + 10_000),
      readyAt: iso(NOW + 10_000),
    });
  });

  it('backs off exponentially from one retry to the next', () => {
    const delays = [0, 1, 2].map((retries) => {
      const patch = failPatch(executingTask('w1', retries + 1, 60_000, { retries }), 'boom', clock, 0);
      return Date.parse(patch.runAfter as string) - NOW;
    });
    expect(delays).toEqual([10_000, 20_000, 40_000]);
  });

  it('fails for good once maxRetries retries were used', () => {
    const patch = failPatch(executingTask('w1', 4, 60_000, { retries: 3, maxRetries: 3 }), 'still broken', clock, 0.5);
    expect(patch).toEqual({ status: 'failed', lease: null, lastError: 'still broken' });
  });

  it('with maxRetries 0 the first failure is final', () => {
    expect(failPatch(executingTask('w1', 1, 60_000, { maxRetries: 0 }), 'x', clock, 0).status).toBe('failed');
  });

  it("uses the task's own retry policy over the configured one", () => {
    const own: RetryPolicySpec = { policy: 'fixed', baseSeconds: 2, maxSeconds: 2, jitter: 0 };
    const patch = failPatch(executingTask('w1', 1, 60_000, { retryPolicy: own, retries: 2 }), 'x', clock, 0);
    expect(patch.runAfter).toBe(iso(NOW + 2_000));
  });

  it('an immediate retry is ready at once, without runAfter', () => {
    const now = clockAt(NOW, { retry: { policy: 'immediate', baseSeconds: 10, maxSeconds: 10, jitter: 0 } });
    expect(failPatch(executingTask(), 'x', now, 0.9)).toMatchObject({ status: 'queued', runAfter: null, readyAt: iso(NOW) });
  });

  it('queues behind its backoff: the claim order counts from when it becomes ready', () => {
    const patch = failPatch(executingTask('w1', 1, 60_000, { priority: 'high' }), 'x', clock, 0);
    expect(patch.claimOrder).toBe(claimOrder(NOW + 10_000, 'high', clock.policy.agingMinutesPerLevel));
  });

  it('a task reserved for a worker goes back to that worker', () => {
    const patch = failPatch(executingTask('w1', 1, 60_000, { reservedFor: 'w1' }), 'x', clock, 0);
    expect(patch).toMatchObject({ status: 'assigned', assignee: 'w1' });
  });
});

describe('expirePatch: a presumed-dead worker', () => {
  it('requeues at once, counting the attempt and naming the worker', () => {
    const patch = expirePatch(executingTask('w7', 2, -1, { retries: 1 }), clock);
    expect(patch).toMatchObject({ status: 'queued', lease: null, retries: 2, runAfter: null, readyAt: iso(NOW) });
    expect(patch.lastError).toContain('w7');
  });

  it('fails the task when no retries are left', () => {
    const patch = expirePatch(executingTask('w7', 4, -1, { retries: 3, maxRetries: 3 }), clock);
    expect(patch).toMatchObject({ status: 'failed', lease: null });
  });

  it('keeps the fencing token, so the next claim gets a greater one', () => {
    const patch = expirePatch(executingTask('w7', 5, -1), clock);
    expect(patch.leaseToken).toBeUndefined();
  });
});

describe('completePatch', () => {
  it('completes with progress 100, keeping the result and appending artifacts', () => {
    const task = executingTask('w1', 1, 60_000, { artifacts: [{ at: iso(NOW - 1), by: 'w0', path: 'old.md' }] });
    const patch = completePatch(task, { workerId: 'w1', result: { ok: true }, artifacts: ['new.md'] }, clock);
    expect(patch).toMatchObject({ status: 'completed', progress: 100, lease: null, result: { ok: true }, completedAt: iso(NOW) });
    expect(patch.artifacts?.map((a) => a.path)).toEqual(['old.md', 'new.md']);
    expect(patch.artifacts?.[1]).toEqual({ at: iso(NOW), by: 'w1', path: 'new.md' });
  });

  it('goes to review when the task asks for it, recording who submitted it', () => {
    const review = { required: true, submittedBy: null, reviewer: null, verdict: null, feedback: null, score: null };
    const patch = completePatch(executingTask('w1', 1, 60_000, { review }), { workerId: 'w1' }, clock);
    expect(patch.status).toBe('reviewing');
    expect(patch.review).toMatchObject({ required: true, submittedBy: 'w1', verdict: null });
    expect(patch.completedAt).toBeUndefined();
  });

  it('goes to review when the policy requires it for the priority', () => {
    const strict = clockAt(NOW, { reviewRequiredFor: ['critical'] });
    expect(completePatch(executingTask('w1', 1, 60_000, { priority: 'critical' }), { workerId: 'w1' }, strict).status).toBe(
      'reviewing',
    );
    expect(completePatch(executingTask('w1', 1, 60_000, { priority: 'high' }), { workerId: 'w1' }, strict).status).toBe(
      'completed',
    );
  });
});

describe('reviewPatch', () => {
  const reviewing = (submittedBy = 'w1') =>
    makeTask({
      status: 'reviewing',
      progress: 100,
      review: { required: true, submittedBy, reviewer: null, verdict: null, feedback: null, score: null },
    });

  it('refuses a self-review with invalid_reviewer', () => {
    const err = thrown(() => reviewPatch(reviewing('w1'), { reviewer: 'w1', pass: true }, clock));
    expect(err.code).toBe('invalid_reviewer');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('w1');
  });

  it('a pass by another worker completes the task', () => {
    const patch = reviewPatch(reviewing(), { reviewer: 'w2', pass: true, score: 90 }, clock);
    expect(patch).toMatchObject({ status: 'completed', completedAt: iso(NOW) });
    expect(patch.review).toMatchObject({ submittedBy: 'w1', reviewer: 'w2', verdict: 'pass', score: 90 });
  });

  it('a fail sends the task back to the queue with the feedback as a note', () => {
    const patch = reviewPatch(reviewing(), { reviewer: 'w2', pass: false, feedback: 'add tests' }, clock);
    expect(patch).toMatchObject({ status: 'queued', progress: 0, lease: null, readyAt: iso(NOW) });
    expect(patch.review).toMatchObject({ verdict: 'fail', feedback: 'add tests', reviewer: 'w2' });
    expect(patch.notes).toEqual([{ at: iso(NOW), by: 'w2', text: 'review failed: add tests' }]);
  });

  it('a fail without feedback adds no note', () => {
    const task = reviewing();
    expect(reviewPatch(task, { reviewer: 'w2', pass: false }, clock).notes).toEqual(task.notes);
  });
});

describe('resume, release, retry, cancel', () => {
  it('pausing work a worker runs ends its lease and readies it for the queue (or its reserved worker) on resume', () => {
    expect(pausePatch(executingTask('w1', 2, 1_000))).toEqual({
      status: 'paused',
      pausedFrom: 'queued',
      lease: null,
      assignee: null,
    });
    const reserved = executingTask('w1', 2, 1_000, { reservedFor: 'w1' });
    expect(pausePatch(reserved)).toMatchObject({ pausedFrom: 'assigned', lease: null, assignee: 'w1' });
    const paused = { ...executingTask('w1', 2, 1_000), ...pausePatch(executingTask('w1', 2, 1_000)) };
    expect(resumePatch(paused, false, clock)).toMatchObject({
      status: 'queued',
      lease: null,
      pausedFrom: null,
      readyAt: iso(NOW),
    });
  });

  it('work paused under a lease by an older Baton resumes to the queue: nobody renews that lease', () => {
    const task = executingTask('w1', 2, 1_000, { status: 'paused', pausedFrom: 'executing' });
    expect(resumePatch(task, false, clock)).toMatchObject({ status: 'queued', lease: null, pausedFrom: null });
  });

  it('resuming a task paused in the queue puts it back in the queue, or blocked while a dependency is open', () => {
    const task = makeTask({ status: 'paused', pausedFrom: 'queued', dependsOn: [2] });
    expect(resumePatch(task, false, clock)).toMatchObject({ status: 'queued', pausedFrom: null, readyAt: iso(NOW) });
    expect(resumePatch(task, true, clock)).toMatchObject({ status: 'blocked', pausedFrom: null });
  });

  it('resuming a reserved task gives it back to its worker', () => {
    const task = makeTask({ status: 'paused', pausedFrom: 'assigned', reservedFor: 'w3' });
    expect(resumePatch(task, false, clock)).toMatchObject({ status: 'assigned', assignee: 'w3' });
  });

  it('a release puts the task back in the queue at once, without a lease', () => {
    expect(releasePatch(executingTask(), clock)).toMatchObject({ status: 'queued', lease: null, assignee: null, runAfter: null });
  });

  it('a retry resets retries and progress, and waits for open dependencies', () => {
    const failed = makeTask({ status: 'failed', retries: 3, progress: 40, completedAt: iso(NOW - 1) });
    expect(retryPatch(failed, false, clock)).toMatchObject({ status: 'queued', retries: 0, progress: 0, completedAt: null });
    expect(retryPatch(failed, true, clock).status).toBe('blocked');
  });

  it('a cancel drops the lease', () => {
    expect(cancelPatch()).toMatchObject({ status: 'cancelled', lease: null });
  });
});

describe('diff: the before → after of the audit trail', () => {
  it('records changed fields only, and appended list items rather than whole lists', () => {
    const task = makeTask({ title: 'Old', notes: [{ at: iso(NOW - 1), by: 'a', text: 'first' }] });
    const note = { at: iso(NOW), by: 'b', text: 'second' };
    const changes = diff(task, { title: 'New', priority: 'normal', notes: [...task.notes, note], claimOrder: 5 });
    expect(changes).toEqual({ title: ['Old', 'New'], notes: [null, [note]] });
  });
});
