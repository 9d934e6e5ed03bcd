import { describe, expect, it } from 'vitest';
import { BatonError } from '../../src/core/errors.js';
import {
  type Action,
  allowedActions,
  assertCan,
  assertLease,
  can,
  claimPatch,
  isFinal,
  renewPatch,
  TRANSITIONS,
} from '../../src/core/lifecycle.js';
import { TASK_STATUSES, type TaskStatus } from '../../src/core/types.js';
import { executingTask, iso, makeTask, NOW, thrown } from '../helpers/task.js';

const OPEN: TaskStatus[] = ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing'];

/** SPEC §3, written out independently of the implementation's table. */
const EXPECTED: Record<Action, TaskStatus[]> = {
  claim: ['queued', 'assigned'],
  heartbeat: ['executing'],
  progress: ['executing'],
  complete: ['executing'],
  fail: ['executing'],
  release: ['executing'],
  expire: ['executing'],
  review: ['reviewing'],
  cancel: OPEN,
  retry: ['failed', 'cancelled', 'skipped'],
  pause: ['blocked', 'queued', 'assigned', 'executing'],
  resume: ['paused'],
  assign: ['blocked', 'queued', 'assigned', 'paused'],
  unassign: OPEN,
  unblock: ['blocked'],
  block: ['queued', 'assigned'],
  // A dependency is added before work starts: never to executing or reviewing work.
  depend: ['blocked', 'queued', 'assigned', 'paused'],
  update: [...TASK_STATUSES],
  // A parent made by breakdown: only unstarted work is split (held work too: see canBreakdown); its subtasks then drive it.
  breakdown: ['blocked', 'queued', 'assigned', 'paused'],
  rollup: ['executing', 'paused'],
  // A task whose dependencies say it will never run: it waited (or had just been given a dependency).
  skip: ['blocked', 'queued', 'assigned', 'paused'],
};

const ACTIONS = Object.keys(EXPECTED) as Action[];
const CASES = ACTIONS.flatMap((action) =>
  TASK_STATUSES.map((status) => ({ action, status, allowed: EXPECTED[action].includes(status) })),
);

describe('lifecycle transition table', () => {
  it('covers exactly the actions of the specification', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(CASES)('$action from $status: allowed=$allowed', ({ action, status, allowed }) => {
    const task = { id: 7, status };
    expect(can(task, action)).toBe(allowed);
    if (allowed) {
      expect(() => assertCan(task, action)).not.toThrow();
      return;
    }
    const err = thrown(() => assertCan(task, action));
    expect(err).toBeInstanceOf(BatonError);
    expect(err.code).toBe('illegal_transition');
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain(`cannot ${action} task 7`);
    expect(err.message).toContain(status);
    expect(err.details).toMatchObject({ id: 7, status, action, allowed: EXPECTED[action] });
  });

  it('final states allow nothing but a retry of failed, cancelled or skipped work, and edits', () => {
    expect(allowedActions({ status: 'completed' })).toEqual(['update']);
    expect(allowedActions({ status: 'failed' }).sort()).toEqual(['retry', 'update']);
    expect(allowedActions({ status: 'cancelled' }).sort()).toEqual(['retry', 'update']);
    expect(allowedActions({ status: 'skipped' }).sort()).toEqual(['retry', 'update']);
    for (const status of TASK_STATUSES) {
      expect(isFinal(status)).toBe(['completed', 'failed', 'cancelled', 'skipped'].includes(status));
    }
  });

  it('offers every action the table allows, and no other', () => {
    for (const status of TASK_STATUSES) {
      const expected = ACTIONS.filter((a) => EXPECTED[a].includes(status)).sort();
      expect(allowedActions({ status }).sort()).toEqual(expected);
    }
  });
});

describe('assertLease (fencing)', () => {
  const check = (overrides: Partial<{ workerId: string; token: number | undefined; now: number }> = {}) => ({
    workerId: 'w1',
    token: 3,
    now: NOW,
    ...overrides,
  });

  it('accepts the lease holder with the current token before expiry', () => {
    expect(() => assertLease(executingTask('w1', 3), 'complete', check())).not.toThrow();
  });

  it('accepts the lease holder without a token (the holder is still checked)', () => {
    expect(() => assertLease(executingTask('w1', 3), 'progress', check({ token: undefined }))).not.toThrow();
    expect(thrown(() => assertLease(executingTask('w1', 3), 'progress', check({ workerId: 'w2', token: undefined }))).code).toBe(
      'not_lease_holder',
    );
  });

  it('refuses another worker with not_lease_holder, naming the holder', () => {
    const err = thrown(() => assertLease(executingTask('w1', 3), 'complete', check({ workerId: 'w2' })));
    expect(err.code).toBe('not_lease_holder');
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain('w1');
    expect(err.details).toMatchObject({ owner: 'w1' });
  });

  it('refuses an older token with stale_token', () => {
    const err = thrown(() => assertLease(executingTask('w1', 3), 'complete', check({ token: 2 })));
    expect(err.code).toBe('stale_token');
    expect(err.exitCode).toBe(4);
    expect(err.details).toMatchObject({ token: 2, current: 3 });
  });

  it('refuses a token from the future too', () => {
    expect(thrown(() => assertLease(executingTask('w1', 3), 'complete', check({ token: 4 }))).code).toBe('stale_token');
  });

  it('refuses an expired lease with lease_expired, at the very instant of expiry', () => {
    const task = executingTask('w1', 3, 1_000);
    expect(() => assertLease(task, 'heartbeat', check({ now: NOW + 999 }))).not.toThrow();
    expect(thrown(() => assertLease(task, 'heartbeat', check({ now: NOW + 1_000 }))).code).toBe('lease_expired');
    expect(thrown(() => assertLease(task, 'heartbeat', check({ now: NOW + 5_000 }))).code).toBe('lease_expired');
  });

  it.each(TASK_STATUSES.filter((s) => s !== 'executing'))('refuses any write while %s with illegal_transition', (status) => {
    const task = executingTask('w1', 3, 60_000, { status });
    const err = thrown(() => assertLease(task, 'complete', check()));
    expect(err.code).toBe('illegal_transition');
    expect(err.message).toContain(status);
  });

  it('tells a worker whose lease is gone to claim again', () => {
    const requeued = makeTask({ status: 'queued', lease: null, leaseToken: 3 });
    expect(thrown(() => assertLease(requeued, 'complete', check())).message).toContain('claim again');
  });

  it('checks the holder before the token: another worker with a stale token is not the holder', () => {
    expect(thrown(() => assertLease(executingTask('w1', 3), 'complete', check({ workerId: 'w2', token: 1 }))).code).toBe(
      'not_lease_holder',
    );
  });
});

describe('claim and renew', () => {
  it('a claim takes the next fencing token, counts the attempt and sets the lease', () => {
    const task = makeTask({ leaseToken: 4, attempts: 4, runAfter: iso(NOW - 1) });
    const patch = claimPatch(task, 'w9', NOW, 30_000);
    expect(patch).toMatchObject({
      status: 'executing',
      assignee: 'w9',
      leaseToken: 5,
      attempts: 5,
      runAfter: null,
      lease: { owner: 'w9', token: 5, expiresAt: iso(NOW + 30_000), seconds: 30 },
      startedAt: iso(NOW),
    });
  });

  it('keeps the first start time across claims', () => {
    const first = iso(NOW - 3_600_000);
    expect(claimPatch(makeTask({ startedAt: first }), 'w1', NOW, 1_000).startedAt).toBe(first);
  });

  it('a renewal extends the lease from now by the length the claim asked for', () => {
    const task = executingTask('w1', 2, 1_000, {});
    const lease = { ...task.lease!, seconds: 120 };
    const patch = renewPatch({ ...task, lease }, NOW + 50_000);
    expect(patch.lease).toEqual({ owner: 'w1', token: 2, seconds: 120, expiresAt: iso(NOW + 50_000 + 120_000) });
  });
});
