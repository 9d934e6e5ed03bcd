import { BatonError } from './errors.js';
import type { Swarm, SwarmMerge, Task } from './types.js';

/**
 * A swarm runs one task as N parallel attempts by different workers. The parent is split into N
 * attempt subtasks (like a breakdown: it is `executing` without a lease and follows them); a claim
 * never gives a worker a second attempt of one swarm (the stores' claim reads `swarm_of`). When
 * its attempts end, the parent's result is their merge:
 *
 * - `all`: the list of the completed attempts' results, in attempt order;
 * - `first`: the first attempt to complete wins at once, and the open ones are cancelled;
 * - `vote`: the result given most often (compared as JSON; a tie goes to the earliest attempt);
 * - `command`: a merge step — the parent goes back to the queue with the results as its input and
 *   the merge command as its command, and completes when a worker completes that step.
 *
 * A swarm whose attempts all failed or were cancelled fails (nothing to merge).
 */

/** The attempt a task is of a swarm, or null. */
export function swarmOf(task: Pick<Task, 'swarm'>): number | null {
  return task.swarm?.role === 'attempt' ? task.swarm.of : null;
}

/** The parent's spec, or null for any other task. */
export function swarmSpec(task: Pick<Task, 'swarm'>): Extract<Swarm, { role: 'parent' }> | null {
  return task.swarm?.role === 'parent' ? task.swarm : null;
}

/**
 * A swarm of `size` needs as many distinct workers able to take an attempt. We refuse a larger
 * one when it is created rather than run fewer attempts: a vote of 2 out of a requested 3 is not
 * the vote that was asked for, and an attempt nobody may claim would wait forever.
 */
export function assertSwarmFits(size: number, capable: readonly string[]): void {
  if (capable.length >= size) return;
  throw new BatonError(
    'swarm_too_large',
    `a swarm of ${size} needs ${size} different workers able to take it; ${capable.length} registered (${capable.join(', ') || 'none'})`,
    { field: 'swarm', size, capable: capable.length, workers: [...capable] },
  );
}

export type MergeOutcome =
  | { kind: 'wait' }
  | { kind: 'complete'; result: unknown; from: number[] }
  | { kind: 'fail'; error: string }
  | { kind: 'merge_step'; input: unknown };

/** What a swarm's parent does now that an attempt changed (`attempts` in attempt order). */
export function mergeOutcome(merge: SwarmMerge, attempts: readonly Task[]): MergeOutcome {
  const done = attempts.filter((a) => a.status === 'completed');
  if (merge === 'first' && done.length > 0) {
    const first = [...done].sort((a, b) => (a.completedAt ?? '').localeCompare(b.completedAt ?? '') || a.id - b.id)[0] as Task;
    return { kind: 'complete', result: first.result, from: [first.id] };
  }
  const open = attempts.some((a) => !['completed', 'failed', 'cancelled', 'skipped'].includes(a.status));
  if (open) return { kind: 'wait' };
  if (done.length === 0)
    return { kind: 'fail', error: `every attempt of the swarm ended without a result (${attempts.length} attempts)` };
  const ids = done.map((a) => a.id);
  switch (merge) {
    case 'all':
    case 'first':
      return { kind: 'complete', result: done.map((a) => a.result), from: ids };
    case 'vote':
      return { kind: 'complete', ...vote(done) };
    case 'command':
      return { kind: 'merge_step', input: { results: done.map((a) => ({ task: a.id, by: a.assignee, result: a.result })) } };
    default: {
      const never: never = merge;
      return never;
    }
  }
}

/** The result given most often, compared as JSON; a tie goes to the one given first (attempt order). */
export function vote(done: readonly Task[]): { result: unknown; from: number[]; votes: number } {
  const tally = new Map<string, number[]>();
  for (const a of done) {
    const key = JSON.stringify(a.result ?? null);
    tally.set(key, [...(tally.get(key) ?? []), a.id]);
  }
  let best: [string, number[]] | null = null;
  for (const entry of tally) if (best === null || entry[1].length > best[1].length) best = entry;
  const [key, from] = best as [string, number[]];
  return { result: JSON.parse(key), from, votes: from.length };
}
