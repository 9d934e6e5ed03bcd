import type { Task } from './types.js';

/**
 * An epic's burndown: how much of its work remained at each moment, counted over its leaves (the
 * tasks under it that have no subtasks of their own — the ones workers do). A leaf counts from its
 * creation, so work added later raises the line, and stops counting once completed, cancelled or
 * skipped; a failed leaf still remains. Pure: the app reads the tree.
 */

export interface BurndownPoint {
  at: string;
  /** Leaves not done yet. */
  remaining: number;
  /** Their estimates added up (a leaf without one adds nothing). */
  remainingMinutes: number;
  /** Leaves that existed then: the scope. */
  scope: number;
}

export interface Burndown {
  taskId: number;
  title: string;
  status: Task['status'];
  leaves: number;
  done: number;
  /** Leaves without an estimate (counted in `remaining`, not in minutes). */
  unestimated: number;
  estimateMinutes: number;
  points: BurndownPoint[];
}

/** When a leaf stopped being work to do, or null while it still is. */
function doneAt(t: Task): number | null {
  if (t.status === 'completed') return Date.parse(t.completedAt ?? t.updatedAt);
  if (t.status === 'cancelled' || t.status === 'skipped') return Date.parse(t.updatedAt);
  return null;
}

export function burndownOf(epic: Task, descendants: readonly Task[], now: number): Burndown {
  const parents = new Set(descendants.map((t) => t.parentId));
  const leaves = descendants.filter((t) => !parents.has(t.id));
  // Changes in time order: +1 at each creation, -1 at each end; ties end before they start.
  const changes: { at: number; leaves: number; minutes: number; scope: number }[] = [];
  for (const t of leaves) {
    const minutes = t.estimateMinutes ?? 0;
    changes.push({ at: Date.parse(t.createdAt), leaves: 1, minutes, scope: 1 });
    const end = doneAt(t);
    if (end !== null) changes.push({ at: end, leaves: -1, minutes: -minutes, scope: 0 });
  }
  changes.sort((a, b) => a.at - b.at || a.leaves - b.leaves);
  const points: BurndownPoint[] = [];
  const state = { remaining: 0, remainingMinutes: 0, scope: 0 };
  const push = (at: number) => {
    const point = { at: new Date(at).toISOString(), ...state, remainingMinutes: Math.round(state.remainingMinutes) };
    if (points.at(-1)?.at === point.at) points[points.length - 1] = point;
    else points.push(point);
  };
  const start = Date.parse(epic.createdAt);
  push(start);
  for (const c of changes) {
    state.remaining += c.leaves;
    state.remainingMinutes += c.minutes;
    state.scope += c.scope;
    push(Math.max(start, c.at));
  }
  const end = doneAt(epic) ?? now;
  if (end > (changes.at(-1)?.at ?? start)) push(end);
  return {
    taskId: epic.id,
    title: epic.title,
    status: epic.status,
    leaves: leaves.length,
    done: leaves.filter((t) => doneAt(t) !== null).length,
    unestimated: leaves.filter((t) => t.estimateMinutes === null).length,
    estimateMinutes: leaves.reduce((sum, t) => sum + (t.estimateMinutes ?? 0), 0),
    points,
  };
}
