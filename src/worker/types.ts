import type { BreakerConfig } from '../core/breaker.js';
import type { Clock } from '../core/clock.js';
import type { Task } from '../core/types.js';

/**
 * Why an attempt was stopped before it finished on its own:
 * - `timeout`: it ran past the task's `timeoutSeconds` — the attempt fails;
 * - `shutdown`: the worker is stopping and the grace period ran out — the task is released;
 * - `lost`: the lease is gone (expired, cancelled, taken over) — nothing may be reported;
 * - `paused`: the task was paused — its attempt already ended, nothing may be reported.
 */
export type AbortReason = 'timeout' | 'shutdown' | 'lost' | 'paused';

/** What an executor gets for one attempt of one task. */
export interface AttemptContext {
  /** The task as claimed: `lease.token` is the fencing token of this attempt. */
  task: Task;
  workerId: string;
  /** Aborted (with an `AbortReason` as reason) when the attempt must stop now. */
  signal: AbortSignal;
  /** Reports progress (0–100) and the step reached; reports are coalesced, never block. */
  progress(percent: number, step?: string): void;
  /** Adds a note to the task's history. */
  note(text: string): Promise<void>;
}

export type AttemptOutcome = { ok: true; result?: unknown } | { ok: false; error: string };

/** Runs one attempt. It must settle soon after `signal` aborts. */
export type Executor = (ctx: AttemptContext) => Promise<AttemptOutcome>;

/** What a worker reports as it goes: the live view, log lines and JSON lines are built from these. */
export type WorkerEvent =
  | { type: 'online'; at: number; workerId: string; capabilities: string[]; concurrency: number }
  | { type: 'claimed'; at: number; task: Task }
  | { type: 'progress'; at: number; taskId: number; progress: number; step: string | null }
  | { type: 'completed'; at: number; task: Task; ms: number }
  | { type: 'failed'; at: number; task: Task; error: string; retrying: boolean; ms: number }
  | { type: 'released'; at: number; taskId: number; reason: string }
  | { type: 'lost'; at: number; taskId: number; reason: string }
  /** The task was paused: its work was stopped, and it runs again once resumed. */
  | { type: 'paused'; at: number; taskId: number }
  | { type: 'stopping'; at: number; graceSeconds: number }
  | { type: 'stopped'; at: number }
  | { type: 'error'; at: number; taskId: number | null; error: string };

export type WorkerEventListener = (event: WorkerEvent) => void;

/** How a `WorkerLoop` runs: who it is, what it claims, and how it paces itself. */
export interface WorkerLoopOptions {
  id: string;
  name?: string | undefined;
  capabilities: string[];
  /** Tasks run at the same time. */
  concurrency?: number | undefined;
  /**
   * Tasks claimed ahead of a free slot and kept waiting here (default 0): a slot that frees starts
   * one at once instead of claiming, and claims take more tasks at a time. Their leases are renewed
   * while they wait and they are handed back if the worker stops. Worth it for many short tasks;
   * for long ones it keeps tasks from idle workers.
   */
  prefetch?: number | undefined;
  /** Lease length asked for on each claim (default: the store's configured lease). */
  leaseSeconds?: number | undefined;
  /** Run one task, then stop. */
  once?: boolean | undefined;
  /** Claim only tasks that have a shell command (the executor runs each task's own). */
  withCommand?: boolean | undefined;
  /** Claim only tasks of these named queues (every queue when absent). */
  queues?: string[] | undefined;
  executor: Executor;
  host?: string | undefined;
  pid?: number | undefined;
  version?: string | undefined;
  /** Take the worker id over from another live process instead of being refused (`worker_id_in_use`). */
  replace?: boolean | undefined;
  /** Its circuit breaker (null: none; undefined: as registered before). */
  breaker?: BreakerConfig | null | undefined;
  /** How long one claim waits for work before the loop checks in again, in seconds. */
  pollSeconds?: number | undefined;
  /** After an abort, how long to wait for the executor to settle before reporting anyway, in ms. */
  settleMs?: number | undefined;
  /**
   * After a claim fails (store or server unavailable), how long to wait before claiming again, in
   * ms (default: from 250 ms, doubling up to 5 s while the failures go on).
   */
  claimRetryMs?: number | undefined;
  /**
   * How often the leases held are read to notice a task paused or cancelled meanwhile, in ms
   * (default 1000): its work is stopped within about this long.
   */
  leaseCheckMs?: number | undefined;
  /** How often the worker sends its own heartbeat with its memory and CPU, in ms (default 10,000). */
  heartbeatMs?: number | undefined;
  /** Source of every time and timer of the loop and its lease keeper (default: the system clock). */
  clock?: Clock | undefined;
  onEvent?: WorkerEventListener | undefined;
}
