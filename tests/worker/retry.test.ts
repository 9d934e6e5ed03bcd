import { describe, expect, it } from 'vitest';
import { failPatch } from '../../src/core/lifecycle.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { retryDelayMs } from '../../src/core/retry.js';
import type { RetryPolicySpec, Task } from '../../src/core/types.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const policy = (retry: Partial<RetryPolicySpec>): Policy => ({
  ...DEFAULT_POLICY,
  retry: { policy: 'exponential', baseSeconds: 10, maxSeconds: 600, jitter: 0, ...retry },
});

/** A task as the lifecycle sees it mid-attempt; only the fields a failure reads matter. */
function executing(overrides: Partial<Task> = {}): Task {
  return {
    id: 1,
    status: 'executing',
    priority: 'normal',
    reservedFor: null,
    retries: 0,
    maxRetries: 3,
    retryPolicy: null,
    ...overrides,
  } as Task;
}

/** Fails the task again and again on a fake clock: each attempt starts the moment it may. */
function spacing(task: Task, p: Policy, random = 0.5): (number | 'failed')[] {
  const out: (number | 'failed')[] = [];
  let current = task;
  let now = T0;
  for (;;) {
    const patch = failPatch(current, 'boom', { now, policy: p }, random);
    if (patch.status === 'failed') {
      out.push('failed');
      return out;
    }
    const runAfter = patch.runAfter ? Date.parse(patch.runAfter) : now;
    out.push(runAfter - now);
    current = { ...current, ...patch, status: 'executing' } as Task;
    now = runAfter;
  }
}

describe('retry policies on a fake clock', () => {
  it('immediate: ready again at once, then failed after maxRetries', () => {
    expect(spacing(executing(), policy({ policy: 'immediate' }))).toEqual([0, 0, 0, 'failed']);
  });

  it('fixed: the same delay before every retry', () => {
    expect(spacing(executing(), policy({ policy: 'fixed', baseSeconds: 30 }))).toEqual([30_000, 30_000, 30_000, 'failed']);
  });

  it('exponential: doubling from the base up to the cap', () => {
    const task = executing({ maxRetries: 6 });
    expect(spacing(task, policy({ baseSeconds: 10, maxSeconds: 60 }))).toEqual([
      10_000,
      20_000,
      40_000,
      60_000,
      60_000,
      60_000,
      'failed',
    ]);
  });

  it('jitter draws from [delay·(1−jitter), delay], never past the cap', () => {
    const p = policy({ baseSeconds: 10, maxSeconds: 60, jitter: 0.5 });
    expect(retryDelayMs(p.retry, 1, 0)).toBe(5000);
    expect(retryDelayMs(p.retry, 1, 0.999999)).toBe(10_000);
    for (let retry = 1; retry < 10; retry++) {
      for (const r of [0, 0.25, 0.5, 0.75, 0.9999]) {
        const d = retryDelayMs(p.retry, retry, r);
        expect(d).toBeLessThanOrEqual(60_000);
        expect(d).toBeGreaterThanOrEqual(Math.min(10_000 * 2 ** (retry - 1), 60_000) * 0.5);
      }
    }
  });

  it("the task's own policy overrides the configured one", () => {
    const task = executing({ maxRetries: 2, retryPolicy: { policy: 'fixed', baseSeconds: 2, maxSeconds: 2, jitter: 0 } });
    expect(spacing(task, policy({ policy: 'exponential', baseSeconds: 100 }))).toEqual([2000, 2000, 'failed']);
  });

  it('maxRetries 0 fails on the first failure', () => {
    expect(spacing(executing({ maxRetries: 0 }), policy({}))).toEqual(['failed']);
  });
});
