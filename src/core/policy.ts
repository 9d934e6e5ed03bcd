import type { Priority, RetryPolicyName } from './types.js';

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
}

export interface RetryPolicy {
  policy: RetryPolicyName;
  /** Delay of the first retry (fixed: every retry), in seconds. */
  baseSeconds: number;
  /** Upper bound of an exponential delay, in seconds. */
  maxSeconds: number;
  /** Fraction of the delay drawn at random (0–1) so that retries do not arrive in lockstep. */
  jitter: number;
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  leaseSeconds: 300,
  heartbeatTimeoutSeconds: 300,
  maxRetries: 3,
  retry: Object.freeze({ policy: 'exponential', baseSeconds: 10, maxSeconds: 600, jitter: 0.2 }),
  reviewRequiredFor: [],
  agingMinutesPerLevel: 60,
}) as Readonly<Policy>;
