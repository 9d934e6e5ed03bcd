import { can } from '../../../src/core/lifecycle.js';
import type { BulkAction, Task } from '../api/types.js';

/**
 * What dropping a card on a column asks of the server, decided by the lifecycle table the server
 * enforces (`core/lifecycle.ts`), so a refused move is explained before any request and changes
 * nothing. A move the server still refuses (a worker got there first) shows its coded error.
 */
export type Move =
  | { kind: 'none' }
  | { kind: 'action'; action: Exclude<BulkAction, 'update'>; verb: string }
  | { kind: 'refused'; code: 'illegal_transition'; message: string };

/** Why no action moves a task into a column that only work itself fills. */
const ONLY_BY_WORK: Record<string, string> = {
  executing: 'only a worker claiming it starts a task',
  reviewing: 'a task goes to review when its worker completes it',
  completed: 'a worker completes a task (or a review passes it)',
  failed: 'a task fails when its worker reports the failure',
  skipped: 'a task is skipped when a dependency it needs did not complete',
  blocked: 'a task waits in Blocked while a dependency is open: add one on its page',
  epics: 'a task becomes an epic when it is broken down, on its page',
};

export function moveFor(task: Pick<Task, 'id' | 'status'>, from: string, to: string): Move {
  if (from === to) return { kind: 'none' };
  const refuse = (why: string): Move => ({
    kind: 'refused',
    code: 'illegal_transition',
    message: `cannot move task ${task.id} from ${label(from)} to ${label(to)}: ${why}`,
  });
  const needs = (action: string, allowed: string) => refuse(`it is ${task.status}, and ${action} needs ${allowed}`);
  switch (to) {
    case 'paused':
      return can(task, 'pause')
        ? { kind: 'action', action: 'pause', verb: 'Paused' }
        : needs('pause', 'an open task not in review');
    case 'cancelled':
      return can(task, 'cancel') ? { kind: 'action', action: 'cancel', verb: 'Cancelled' } : needs('cancel', 'an open task');
    case 'queued':
      if (can(task, 'resume')) return { kind: 'action', action: 'resume', verb: 'Resumed' };
      if (can(task, 'retry')) return { kind: 'action', action: 'retry', verb: 'Requeued' };
      return refuse(
        task.status === 'executing'
          ? 'a running task goes back to the queue when its worker releases it or its lease runs out (pause it to stop the work)'
          : `it is ${task.status}: only a paused task resumes, and only a failed, cancelled or skipped one is retried`,
      );
    default:
      return refuse(ONLY_BY_WORK[to] ?? 'no action does that');
  }
}

/** Columns a card may be dropped on, for highlighting while it is dragged. */
export function dropTargets(task: Pick<Task, 'id' | 'status'>, from: string, columns: readonly string[]): Set<string> {
  return new Set(columns.filter((c) => moveFor(task, from, c).kind === 'action'));
}

function label(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}
