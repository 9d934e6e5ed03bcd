import type { Task } from '../types.js';

export type RollupChild = Pick<Task, 'status' | 'progress' | 'estimateMinutes'>;

/**
 * What a parent's children say about it (SPEC §3): its progress is the estimate-weighted mean of
 * theirs; it is done when none is open. Cancelled children are work the user chose not to do:
 * they weigh nothing and do not hold the parent back. A skipped child (its condition said it was
 * not needed) counts as done. A failed child holds it until it is retried or cancelled, since the
 * work it stands for is not done.
 */
export interface Rollup {
  progress: number;
  open: number;
  outcome: 'open' | 'completed' | 'cancelled' | 'stalled';
}

export function rollup(children: readonly RollupChild[]): Rollup {
  const counted = children.filter((c) => c.status !== 'cancelled');
  const known = counted.map((c) => c.estimateMinutes).filter((e): e is number => e !== null && e > 0);
  // Children without an estimate weigh as much as an average sibling.
  const fallback = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  let weight = 0;
  let done = 0;
  for (const c of counted) {
    const w = c.estimateMinutes !== null && c.estimateMinutes > 0 ? c.estimateMinutes : fallback;
    weight += w;
    done += w * (c.status === 'completed' || c.status === 'skipped' ? 100 : c.progress);
  }
  const progress = weight > 0 ? Math.round((done / weight) * 100) / 100 : 0;
  const open = children.filter((c) => !['completed', 'failed', 'cancelled', 'skipped'].includes(c.status)).length;
  const outcome =
    open > 0 ? 'open' : counted.length === 0 ? 'cancelled' : counted.some((c) => c.status === 'failed') ? 'stalled' : 'completed';
  return { progress: outcome === 'completed' ? 100 : progress, open, outcome };
}
