import type { RuleTime } from '../../src/core/lifecycle.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import type { Task } from '../../src/core/types.js';

/** A fixed instant, so expectations on times are exact. */
export const NOW = Date.parse('2030-01-15T12:00:00.000Z');

export const iso = (ms: number): string => new Date(ms).toISOString();

/** A queued task as a store would hold it; override what a test is about. */
export function makeTask(overrides: Partial<Task> = {}): Task {
  const created = newTaskRecord(
    { title: 'A task' },
    { now: NOW - 60_000, policy: DEFAULT_POLICY, actor: null, complexity: 'simple', depsOpen: false },
  );
  return { ...created, id: 1, updatedAt: created.createdAt, claimOrder: 0, version: 1, ...overrides };
}

/** A task leased to `owner` with fencing token `token`, expiring `ttlMs` after NOW. */
export function executingTask(owner = 'w1', token = 1, ttlMs = 60_000, overrides: Partial<Task> = {}): Task {
  return makeTask({
    status: 'executing',
    assignee: owner,
    lease: { owner, token, expiresAt: iso(NOW + ttlMs), seconds: 300 },
    leaseToken: token,
    attempts: token,
    startedAt: iso(NOW - 30_000),
    readyAt: iso(NOW - 60_000),
    ...overrides,
  });
}

export function clockAt(now = NOW, policy: Partial<Policy> = {}): RuleTime {
  return { now, policy: { ...DEFAULT_POLICY, ...policy } };
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown>; exitCode?: number } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to throw, but it returned');
}
