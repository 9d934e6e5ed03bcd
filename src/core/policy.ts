import type { Priority, RetryPolicySpec } from './types.js';

/** The rules a store's users agreed on (from `.baton/config.yaml`), validated once and frozen. */
export interface Policy {
  /** Default lease length of a claim, in seconds. */
  leaseSeconds: number;
  /** A worker silent for longer than this is offline, in seconds. */
  heartbeatTimeoutSeconds: number;
  maxRetries: number;
  retry: RetryPolicy;
  /** Priorities whose tasks always need review before completing. */
  reviewRequiredFor: Priority[];
  /** A task's effective priority rises by one level per this many minutes of waiting. */
  agingMinutesPerLevel: number;
  /** Default per-attempt timeout, in seconds (null: none). */
  taskTimeoutSeconds: number | null;
}

/**
 * `policy`; `baseSeconds`: delay of the first retry (fixed: every retry); `maxSeconds`: cap of an
 * exponential delay; `jitter`: fraction of the delay drawn at random (0–1) so retries do not
 * arrive in lockstep.
 */
export type RetryPolicy = RetryPolicySpec;

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  leaseSeconds: 300,
  heartbeatTimeoutSeconds: 300,
  maxRetries: 3,
  retry: Object.freeze({ policy: 'exponential', baseSeconds: 10, maxSeconds: 600, jitter: 0.2 }),
  reviewRequiredFor: [],
  agingMinutesPerLevel: 60,
  taskTimeoutSeconds: null,
}) as Readonly<Policy>;
