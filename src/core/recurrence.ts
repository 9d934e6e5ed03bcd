import { Cron } from 'croner';
import type { Task } from './types.js';

export type { Recurrence } from './types.js';

/**
 * Schedules: a start time (`runAfter`, from an ISO time or a delay such as `10m`) and recurring
 * tasks (`every`, a cron expression read in a time zone, by the `croner` library).
 *
 * A recurring task is a **template**: it is never claimed itself (it stays `blocked`, with no
 * dependency), and each fire time of its cron becomes one **occurrence**, a new task copied from
 * it with `runAfter` = that fire time. The template keeps the fire time of its newest occurrence
 * (`fireAt`); once that time passes, the next occurrence is created for the first fire time after
 * now. So there is one occurrence ahead at a time, a pause (downtime) skips the fire times it
 * missed (the occurrence already created is the one catch-up), and since the template moves to
 * the next fire time in the same transaction that creates the occurrence, under its version,
 * no fire time is ever created twice.
 */
/** Whether `task` is the template of a recurrence (never claimed; makes the occurrences). */
export function isTemplate(task: Pick<Task, 'recurrence'>): boolean {
  return task.recurrence !== null && task.recurrence.templateId === null;
}

/** Why a time zone name is not one this runtime knows, or null. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return null;
  } catch {
    return `is not a known time zone: "${timezone}" (use an IANA name such as Europe/Paris or America/New_York)`;
  }
}

/** Why a cron expression cannot be used, or null. */
export function cronProblem(every: string, timezone: string | null = null): string | null {
  if (timezone !== null && timezoneProblem(timezone)) return null; // reported on the time zone
  let next: Date | null;
  try {
    next = cronOf(every, timezone).nextRun(new Date(0));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return `is not a cron expression: ${message.replace(/^CronPattern:\s*/, '')}`;
  }
  if (next === null) return `never fires: "${every}" matches no date`;
  return null;
}

/** The first fire time strictly after `afterMs`, in ms; null when the expression never fires again. */
export function nextFireAfter(every: string, timezone: string | null, afterMs: number): number | null {
  const next = cronOf(every, timezone).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

function cronOf(every: string, timezone: string | null): Cron {
  return new Cron(every, { paused: true, ...(timezone !== null && { timezone }) });
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DELAY = /^(?:(\d+)\s*([smhdw])\s*)+$/i;

/**
 * A start time as typed: an ISO-8601 time with offset (`2030-01-01T09:00:00Z`) or a delay from
 * `now` (`10m`, `2h`, `1d12h`; units s, m, h, d, w). Returns ms since the epoch, or the problem.
 */
export function readRunAfter(text: string, now: number): { at: number } | { problem: string } {
  const trimmed = text.trim();
  if (DELAY.test(trimmed)) {
    let total = 0;
    for (const [, n, unit] of trimmed.matchAll(/(\d+)\s*([smhdw])/gi)) {
      total += Number(n) * (UNITS[(unit as string).toLowerCase()] as number);
    }
    if (!Number.isSafeInteger(total) || total > 100 * 365 * UNITS.d!)
      return { problem: 'is too long a delay (at most 100 years)' };
    return { at: now + total };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return { at };
  }
  return {
    problem: `must be an ISO-8601 time with its offset (2030-01-01T09:00:00Z) or a delay such as 10m, 2h or 1d (not "${text}")`,
  };
}
