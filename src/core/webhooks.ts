import type { TaskEvent } from './types.js';

/**
 * Webhooks and alerts: what a hook selects, when a failed delivery is tried
 * again. Pure rules; the outbox and the sending live in the app and store layers.
 *
 * Glossary: a *hook* is a URL with the events it wants; a *delivery* is one event posted to one
 * hook (tried until it succeeds or is given up); an *alert* is a condition worth a person's
 * attention, raised once per occurrence and appended to the event log as `alert_raised`.
 */

/** The alert kinds a server raises. */
export const ALERT_KINDS = [
  'sla_breached',
  'task_failed',
  'worker_offline',
  'ready_over',
  'queue_over',
  'breaker_open',
  'pool_degraded',
  'backup_failed',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Webhook {
  id: number;
  url: string;
  /** Event names or patterns (`task.*`, `alert.*`, `*`). */
  events: string[];
  createdAt: string;
  /** Failed deliveries in a row; reset by a success. */
  failures: number;
  disabledAt: string | null;
  disabledReason: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: number;
  hookId: number;
  eventId: number;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  /** When it is tried next (pending), ISO-8601. */
  nextAt: string | null;
  /** The receiver's HTTP status of the last attempt, or null (no answer). */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface Alert {
  id: number;
  kind: AlertKind;
  /** What makes two raises the same occurrence. */
  key: string;
  message: string;
  data: Record<string, unknown>;
  raisedAt: string;
  /** When its condition ended (null: still holds; an alert of one event ends as it is raised). */
  resolvedAt: string | null;
}

/**
 * The webhook name of a log event: `alert.<kind>` for an alert, `run.completed`, `step.failed` and
 * the like for a workflow run's, `backup.failed` and the like for events of no task, `task.<type>` for a task's — where `task.failed` is a task failed for good
 * (its last attempt failed, or its last lease ran out) and `task.attempt_failed` an attempt that
 * will be retried.
 */
export function webhookEventName(event: Pick<TaskEvent, 'type' | 'taskId' | 'changes' | 'data'>): string {
  if (event.type === 'alert_raised') return `alert.${String(event.data?.kind ?? 'unknown')}`;
  if (failedForGood(event)) return 'task.failed';
  if (event.type === 'failed') return 'task.attempt_failed';
  // A workflow run's and its steps' events sit on the run's own task, yet name the run (as the
  // event filters of workflows do: `run.completed`, `step.failed`).
  const run = /^(run|step)_(.+)$/.exec(event.type);
  if (run) return `${run[1]}.${run[2]}`;
  const prefix = /^(backup|webhook|workflow|trigger|worker)_(.+)$/.exec(event.type);
  if (prefix && event.taskId === null) return `${prefix[1]}.${prefix[2]}`;
  return `task.${event.type}`;
}

/** Whether the event is a task's end in failure (no retry left), however it came. */
export function failedForGood(event: Pick<TaskEvent, 'taskId' | 'changes'>): boolean {
  return event.taskId !== null && event.changes.status?.[1] === 'failed';
}

/** A name hooks may ask for: `a.b`, `a.*` or `*`. */
export const EVENT_PATTERN = /^(\*|[a-z]+\.(\*|[a-z_]+))$/;

export function selects(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}

/** Exponential backoff after failed attempt `attempts` (1-based), capped at an hour. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
