import type { Policy } from './policy.js';
import type { Priority } from './types.js';

/** Priority levels: higher is more urgent. */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = Object.freeze({
  critical: 4,
  high: 3,
  normal: 2,
  low: 1,
  maintenance: 0,
});

/**
 * SPEC §4 as one sortable number. A task's effective priority is its level plus the time it has
 * waited divided by the aging step; ordering by effective priority (descending) at any instant
 * `now` is the same as ordering by `readyAt - level * agingStep` (ascending), because `now` is
 * common to all tasks. So the order is a stored, indexable column and nothing starves: a task
 * that waited one aging step longer ties with a task one level higher.
 *
 * Ties (same key) are broken by fit — how many capabilities the task uses, more first — and then
 * by id; the store orders by `(claimOrder, capabilityCount DESC, id)`.
 */
export function claimOrder(readyAtMs: number, priority: Priority, agingMinutesPerLevel: number, boost = 0): number {
  return readyAtMs - (PRIORITY_RANK[priority] + boost) * agingMinutesPerLevel * 60_000;
}

/** The claim order of a task by its queue's `priorityBoost`: that many levels higher (or lower). */
export function taskClaimOrder(
  readyAtMs: number,
  task: { priority: Priority; queue: string },
  policy: Pick<Policy, 'agingMinutesPerLevel' | 'queues'>,
): number {
  return claimOrder(readyAtMs, task.priority, policy.agingMinutesPerLevel, policy.queues[task.queue]?.priorityBoost ?? 0);
}

export interface Rankable {
  id: number;
  claimOrder: number;
  capabilities: readonly string[];
}

/** The comparison the store's `ORDER BY` implements; used where tasks are sorted in memory. */
export function compareForClaim(a: Rankable, b: Rankable): number {
  return a.claimOrder - b.claimOrder || b.capabilities.length - a.capabilities.length || a.id - b.id;
}

/** A worker may claim a task only if it has every capability the task requires. */
export function canDo(workerCapabilities: readonly string[], taskCapabilities: readonly string[]): boolean {
  if (taskCapabilities.length === 0) return true;
  const have = new Set(workerCapabilities);
  return taskCapabilities.every((c) => have.has(c));
}
