import { FINAL_STATUSES, type TaskStatus } from './types.js';

/**
 * Retention: how long the event log and finished tasks are kept. A task that is still open keeps
 * every event it has, whatever its age; a finished task is removed only when nothing left in the
 * store needs it (the store checks that: no task depends on it, no subtask of it remains, its
 * parent has finished), and its events go with it.
 */
export interface RetentionRule {
  /** Events older than this are removed (ms), or null: kept for ever. */
  eventsMs: number | null;
  /** Tasks finished longer ago than this are removed (ms), or null: kept for ever. */
  completedTasksMs: number | null;
}

export interface RetentionCutoffs {
  /** Events before this time (ms) may go; null: none. */
  events: number | null;
  /** Tasks finished before this time (ms) may go; null: none. */
  tasks: number | null;
}

export function retentionCutoffs(rule: RetentionRule, nowMs: number): RetentionCutoffs {
  return {
    events: rule.eventsMs === null ? null : nowMs - rule.eventsMs,
    tasks: rule.completedTasksMs === null ? null : nowMs - rule.completedTasksMs,
  };
}

export const isFinal = (status: TaskStatus): boolean => FINAL_STATUSES.includes(status);

/**
 * Whether an event may be removed for its age: older than the cut-off, and not an event of a task
 * still open. `taskStatus` is the status of its task, null for an event of no task (a worker's, a
 * workflow's), undefined when its task is gone.
 */
export function eventRemovable(at: string, taskStatus: TaskStatus | null | undefined, cutoff: number): boolean {
  if (Date.parse(at) >= cutoff) return false;
  return taskStatus === null || taskStatus === undefined || isFinal(taskStatus);
}
