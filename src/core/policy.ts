import type { BreakerConfig } from './breaker.js';
import type { QueueSettings } from './queues.js';
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
  /**
   * `pull`: workers ask for work. `hybrid`: critical tasks are also pushed to the best idle worker.
   * `push`: every ready task is pushed. `auction`: workers bid (`core/assignment.ts`).
   */
  assignment: AssignmentMode;
  /** A pushed task not claimed within this many seconds goes to the next best worker. */
  pushAcceptWithinSeconds: number;
  /** How long an auction takes bids, in seconds (it closes sooner once every capable online worker bid). */
  auctionWindowSeconds: number;
  breakdown: BreakdownPolicy;
  /** Longest a ready task of each priority should wait for a claim, in seconds (null: no target). */
  slaSeconds: Record<Priority, number | null>;
  claims: ClaimPolicy;
  /** Which of a worker's environment variables its commands see (names, or patterns with `*`). */
  commandEnv: { allow: string[]; deny: string[] };
  /** Who may read attempt logs through the server (see `LOG_READERS`). */
  logReaders: LogReaders;
  /** A worker offline for longer than this is no longer listed, in seconds (`workers.forgetAfter`). */
  forgetWorkersAfterSeconds: number;
  /** Leased tasks executing at once in the whole store, at most (`limits.maxExecuting`; null: no cap). */
  maxExecuting: number | null;
  /** The named queues the config gives settings (`queues:`); others behave as `default` does. */
  queues: Readonly<Record<string, QueueSettings>>;
  /** The circuit breaker a worker gets when it registers without one of its own (`workers.breaker`). */
  workerBreaker: BreakerConfig | null;
}

/**
 * What one claim may take, so that one worker (or a leaked worker key) cannot hold the queue: a
 * claim takes at most `maxTasks` tasks whatever limit it asks, and a lease longer than
 * `maxLeaseSeconds` is refused.
 */
export interface ClaimPolicy {
  maxTasks: number;
  maxLeaseSeconds: number;
}

/**
 * `workers`: admins, and worker keys of the workers that ran the task (its output may hold what
 * only they should see); `all`: any key, viewers included.
 */
export const LOG_READERS = ['workers', 'all'] as const;
export type LogReaders = (typeof LOG_READERS)[number];

/** An environment variable's name, or a pattern of names with `*`. */
export const ENV_NAME_PATTERN = /^[A-Za-z0-9_*]+$/;

/** SPEC §6: when tasks are broken down on creation, and by which planner. */
export interface BreakdownPolicy {
  /** `epic-only`: only epics are split on creation (complex ones are flagged); `recommended`: complex ones too. */
  mode: 'epic-only' | 'recommended';
  /** Planner used on creation and by default in `baton breakdown`. */
  planner: 'rules' | 'command' | 'http';
  /** Shell command of the `command` planner: reads the task as JSON on stdin, prints `{"subtasks":[…]}`. */
  command: string | null;
  /** A planner taking longer is abandoned for the rule planner. */
  timeoutSeconds: number;
  /** A planner answering more than this many bytes is abandoned for the rule planner. */
  maxOutputBytes: number;
  /** OpenAI-compatible endpoint; `url`/`model` fall back to BATON_PLANNER_URL/BATON_PLANNER_MODEL. */
  http: { url: string | null; model: string | null; apiKeyEnv: string };
  /**
   * What a pattern step's (or a planner's) capability label means in this store: the capabilities
   * its subtasks need instead of the parent's. Unmapped labels are ignored (`subtaskCapabilities`).
   */
  capabilities: Readonly<Record<string, readonly string[]>>;
}

export const ASSIGNMENT_MODES = ['pull', 'push', 'hybrid', 'auction'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

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
  assignment: 'pull',
  pushAcceptWithinSeconds: 30,
  auctionWindowSeconds: 2,
  slaSeconds: Object.freeze({ critical: 300, high: 1800, normal: 14_400, low: 86_400, maintenance: null }),
  claims: Object.freeze({ maxTasks: 100, maxLeaseSeconds: 86_400 }),
  breakdown: Object.freeze({
    mode: 'epic-only',
    planner: 'rules',
    command: null,
    timeoutSeconds: 60,
    maxOutputBytes: 1_000_000,
    // The key itself never sits in a config file: only the name of the variable holding it.
    http: Object.freeze({ url: null, model: null, apiKeyEnv: 'BATON_PLANNER_API_KEY' }),
    capabilities: Object.freeze({}),
  }),
  commandEnv: Object.freeze({ allow: ['*'], deny: [] }),
  logReaders: 'workers',
  forgetWorkersAfterSeconds: 86_400,
  maxExecuting: null,
  queues: Object.freeze({}),
  workerBreaker: null,
}) as Readonly<Policy>;
