import { z } from 'zod';
import type { AssignmentMode } from './policy.js';
import type { RetryPolicySpec } from './types.js';

/**
 * Named queues and system pauses. A task belongs to one queue (`default` unless given). A queue may
 * have settings in the config (`queues:`): a size past which new tasks are refused (`queue_full`),
 * a cap on its tasks executing at once, defaults for the timeout and retries of its tasks, and a
 * priority boost. A pause stops the claims of one queue, or of every queue (`SYSTEM_QUEUE`); tasks
 * already executing keep running and may finish.
 */

export const DEFAULT_QUEUE = 'default';
/** The queue name a whole-system pause is kept under: not a valid queue name, so never a queue's. */
export const SYSTEM_QUEUE = '*';

export const QUEUE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** A queue name: lower-case letters, digits, `_`, `.`, `-`; at most 64 characters. */
export const queueNameSchema = z
  .string()
  .trim()
  .regex(QUEUE_NAME_PATTERN, 'must be 1–64 lower-case letters, digits, "_", "." or "-", starting with a letter or digit');

/** `pauseClaims` / `resumeClaims`: one queue, or (without one) the whole system. */
export const pauseSchema = z.strictObject({ queue: queueNameSchema.optional() });
export type PauseInput = z.input<typeof pauseSchema>;

/** A queue's settings, from the config (every field optional there; null: the store-wide rule). */
export interface QueueSettings {
  /** Open tasks not yet executing (blocked, queued, assigned, paused) past which new ones are refused. */
  maxSize: number | null;
  /** Tasks of the queue executing at once, at most. */
  maxExecuting: number | null;
  /** Default per-attempt timeout of its tasks, in seconds. */
  timeoutSeconds: number | null;
  /** Default retries of its tasks. */
  maxRetries: number | null;
  /** Default retry policy of its tasks. */
  retry: RetryPolicySpec | null;
  /** Priority levels added to its tasks' place in the claim order (may be negative). */
  priorityBoost: number;
  /** Tasks waiting in the queue (its depth) past which the server raises a `queue_over` alert. */
  alertOver: number | null;
  /** How its tasks reach workers (`core/assignment.ts`); null: the store's `assignment`. */
  assignment: AssignmentMode | null;
}

/** A pause in force: of one queue, or of the whole system (`queue` = `SYSTEM_QUEUE`). */
export interface QueuePause {
  queue: string;
  pausedAt: string;
  pausedBy: string | null;
}

/**
 * The caps a claim must respect, given to the store: the store checks them in the transaction or
 * statement that leases, so that concurrent claims, from any process, never exceed them.
 */
export interface ClaimCaps {
  /** Leased tasks executing at once, in all queues (`limits.maxExecuting`). */
  maxExecuting: number | null;
  /** Per queue that has one, its `maxExecuting`. */
  queues: Readonly<Record<string, number>>;
}

export const NO_CAPS: ClaimCaps = Object.freeze({ maxExecuting: null, queues: Object.freeze({}) });

export function hasCaps(caps: ClaimCaps | undefined): caps is ClaimCaps {
  return caps !== undefined && (caps.maxExecuting !== null || Object.keys(caps.queues).length > 0);
}

/** One queue as `queues()` reports it. */
export interface QueueInfo {
  name: string;
  /** Tasks ready to claim now (queued, or assigned). */
  depth: number;
  /** Leased tasks executing. */
  executing: number;
  /** Open tasks not yet executing: what `maxSize` counts. */
  waiting: number;
  /** When the task that has waited longest became ready (null: none ready). */
  oldestReadyAt: string | null;
  /** Seconds it has waited. */
  oldestWaitSeconds: number | null;
  /** Ready tasks waiting longer than the SLA target of their priority. */
  slaBreaches: number;
  /** Whether its claims are paused (by its own pause or the system's). */
  paused: boolean;
  /** Its settings, when the config names it. */
  settings: QueueSettings | null;
}

/** Counts of one queue as the store reads them. */
export interface QueueCounts {
  queue: string;
  depth: number;
  executing: number;
  waiting: number;
  oldestReadyMs: number | null;
  breaches: number;
}

/** The caps of a policy's limits and queue settings. */
export function claimCaps(maxExecuting: number | null, queues: Readonly<Record<string, QueueSettings>>): ClaimCaps {
  const perQueue: Record<string, number> = {};
  for (const [name, q] of Object.entries(queues)) if (q.maxExecuting !== null) perQueue[name] = q.maxExecuting;
  return { maxExecuting, queues: perQueue };
}

/** A pause as callers see it: `queue` null for the whole system. */
export interface PauseView {
  queue: string | null;
  pausedAt: string;
  pausedBy: string | null;
}

export function pauseView(p: QueuePause): PauseView {
  return { ...p, queue: p.queue === SYSTEM_QUEUE ? null : p.queue };
}

/** Whether claims of `queue` are paused by these pauses. */
export function isPaused(pauses: readonly QueuePause[], queue: string): boolean {
  return pauses.some((p) => p.queue === SYSTEM_QUEUE || p.queue === queue);
}
