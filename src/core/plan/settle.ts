import type { Priority, TaskStatus } from '../types.js';
import { flattenPlan } from './document.js';
import type { PlanNode } from './types.js';

/**
 * What each task of a plan is when written, before any is: what it inherits from the task above
 * it, and its first status.
 */

export interface SettledNode {
  status: TaskStatus;
  priority: Priority;
}

/**
 * The first status of each task: a ticked leaf is completed; a parent with an open subtask is
 * executing (it follows its subtasks), one whose subtasks are all done is completed; a leaf
 * waiting for an open task is blocked; the rest are queued. `completedTasks`: the store tasks
 * named by `task N` that are completed.
 */
export function settlePlan(nodes: readonly PlanNode[], completedTasks: ReadonlySet<number>): Map<number, SettledNode> {
  const all = flattenPlan(nodes);
  const done = new Map<number, boolean>();
  const isDone = (n: PlanNode): boolean => {
    const known = done.get(n.ref);
    if (known !== undefined) return known;
    const value = n.subtasks.length > 0 ? n.subtasks.every(isDone) : n.done;
    done.set(n.ref, value);
    return value;
  };
  const byRef = new Map(all.map((n) => [n.ref, n]));
  const settled = new Map<number, SettledNode>();
  for (const n of all) {
    const priority = n.priority ?? 'normal';
    if (isDone(n)) settled.set(n.ref, { status: 'completed', priority });
    else if (n.subtasks.length > 0) settled.set(n.ref, { status: 'executing', priority });
    else {
      const waits =
        n.dependsOn.some((ref) => !isDone(byRef.get(ref) as PlanNode)) || n.dependsOnTasks.some((id) => !completedTasks.has(id));
      settled.set(n.ref, { status: waits ? 'blocked' : 'queued', priority });
    }
  }
  return settled;
}

/** Ticked tasks that cannot be completed yet because a subtask is open: they complete when it does. */
export function tickedButOpen(nodes: readonly PlanNode[], settled: ReadonlyMap<number, SettledNode>): PlanNode[] {
  return flattenPlan(nodes).filter((n) => n.done && settled.get(n.ref)?.status !== 'completed');
}
