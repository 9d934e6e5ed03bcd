import type { Task } from './types.js';

/** The time as the CLI and the dashboard print it: `2030-01-01 09:00:00Z`. */
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/**
 * What a listing says of a task's schedule at `now` (ms), or null: `scheduled for T` for a start
 * time still ahead, `retry after T` for a retry backoff, `every "cron" (zone), next at T` for the
 * template of a recurring task. Pure, so the CLI and the dashboard say the same.
 */
export function scheduleNote(
  task: Pick<Task, 'runAfter' | 'recurrence' | 'status' | 'attempts' | 'lastError'>,
  now: number,
): string | null {
  const rec = task.recurrence;
  if (rec && rec.templateId === null) {
    const zone = rec.timezone ?? 'UTC';
    if (task.status === 'blocked') return `every "${rec.every}" (${zone}), next at ${when(rec.fireAt)}`;
    return `every "${rec.every}" (${zone}), stopped while ${task.status}`;
  }
  if (task.runAfter === null || Date.parse(task.runAfter) <= now) return null;
  if (task.status !== 'queued' && task.status !== 'assigned' && task.status !== 'blocked') return null;
  const backoff = task.attempts > 0 && task.lastError !== null;
  return backoff ? `retry after ${when(task.runAfter)}` : `scheduled for ${when(task.runAfter)}`;
}
