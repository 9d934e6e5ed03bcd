import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { queueNameSchema } from '../queues.js';
import {
  capabilitiesSchema,
  chars,
  json,
  percentSchema,
  seconds,
  taskIdSchema,
  text,
  tokenSchema,
  tooMany,
  trimmed,
  workerIdSchema,
} from './fields.js';
import { breakerConfigSchema } from './records.js';

/** Inputs of the worker's calls of `Baton`: claim, report, finish, review, register, read events. */

/** The lease a worker's write names. */
export const leaseRefSchema = z.strictObject({
  workerId: workerIdSchema,
  /** Fencing token of the claim; when omitted, the worker must still hold the lease. */
  token: tokenSchema.optional(),
});
export type LeaseRef = z.input<typeof leaseRefSchema>;

export const claimSchema = z.strictObject({
  workerId: workerIdSchema,
  /** The worker's capabilities; defaults to those it registered with. */
  capabilities: capabilitiesSchema.optional(),
  leaseSeconds: seconds(LIMITS.durationSeconds).optional(),
  /** Wait up to this many seconds for a task to become ready. */
  waitSeconds: z
    .number()
    .min(0, `must be from 0 to ${LIMITS.claimWaitSeconds} seconds`)
    .max(LIMITS.claimWaitSeconds, `must be from 0 to ${LIMITS.claimWaitSeconds} seconds`)
    .optional(),
  /** Only tasks that have a shell command (a worker that runs each task's own command). */
  withCommand: z.boolean().optional(),
  /** Only tasks of these named queues (a worker serving some queues); every queue when absent. */
  queues: z
    .array(queueNameSchema)
    .min(1, 'must name at least one queue')
    .max(LIMITS.queuesPerClaim, tooMany(LIMITS.queuesPerClaim))
    .optional(),
  /**
   * The claiming process, as it registered (`baton worker` sends them): a process whose worker id
   * another process took over (`replace`) is refused with `worker_replaced`.
   */
  host: chars(LIMITS.hostChars).optional(),
  pid: z.number().int('must be a whole number').nonnegative().optional(),
  /** Ends the wait early (a stopping worker); not sent over the wire. */
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'must be an AbortSignal').optional(),
});
export type ClaimInput = z.input<typeof claimSchema>;

/** Claiming one task by id: the claim's worker, capabilities and lease, without a wait. */
export const claimTaskSchema = claimSchema.pick({ workerId: true, capabilities: true, leaseSeconds: true });
export type ClaimTaskInput = z.input<typeof claimTaskSchema>;

export const claimManySchema = claimSchema.extend({
  /** Tasks to claim in one step. */
  limit: z
    .number()
    .int(`must be a whole number from 1 to ${LIMITS.claimLimit}`)
    .min(1, `must be a whole number from 1 to ${LIMITS.claimLimit}`)
    .max(LIMITS.claimLimit, `must be a whole number from 1 to ${LIMITS.claimLimit}`),
});
export type ClaimManyInput = z.input<typeof claimManySchema>;

export const progressSchema = leaseRefSchema.extend({
  /** Percent done, 0–100 (kept to two decimals). */
  progress: percentSchema.transform((p) => Math.round(p * 100) / 100),
  /** Kept in the task's notes; an empty one is ignored. */
  note: trimmed(LIMITS.noteChars).optional(),
  /** The step reached, kept as a checkpoint; an empty one is ignored. */
  step: trimmed(LIMITS.stepChars).optional(),
});
export type ProgressInput = z.input<typeof progressSchema>;

/** `appendAttemptLog(id, input)`: a piece of the output of the attempt the worker runs under its lease. */
export const attemptLogSchema = leaseRefSchema.extend({
  /** The attempt, as `attempts` of the task claimed. */
  attempt: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  /** Output as printed, kept as given (not trimmed). */
  text: chars(LIMITS.logChunkChars).min(1, 'must not be empty'),
});
export type AttemptLogInput = z.input<typeof attemptLogSchema>;

export const noteSchema = z.strictObject({
  /** The worker writing it; the instance's actor when omitted. */
  workerId: workerIdSchema.optional(),
  text: text(LIMITS.noteChars),
});
export type NoteInput = z.input<typeof noteSchema>;

export const completeSchema = leaseRefSchema.extend({
  /** Any JSON: what the task produced. */
  result: json(LIMITS.resultBytes).optional(),
  /** Files or URLs produced; blank ones are dropped. */
  artifacts: z
    .array(trimmed(LIMITS.artifactChars))
    .max(LIMITS.artifacts, tooMany(LIMITS.artifacts))
    .transform((paths) => paths.filter((p) => p.length > 0))
    .optional(),
});
export type CompleteTaskInput = z.input<typeof completeSchema>;

/** One completion of `completeMany`: the task, and what `complete` of it would take. */
export const completionItemSchema = completeSchema.extend({ id: taskIdSchema });
export type CompletionItem = z.input<typeof completionItemSchema>;

/** `completeMany`: a batch of completions; a malformed item refuses the batch, before any change. */
export const completeManySchema = z.strictObject({
  items: z.array(completionItemSchema).max(LIMITS.completionBatch, tooMany(LIMITS.completionBatch)),
});

export const failSchema = leaseRefSchema.extend({
  /** What went wrong. Longer output is refused, not cut: the sender chooses what to keep. */
  error: text(LIMITS.errorChars),
});
export type FailInput = z.input<typeof failSchema>;

export const reviewSchema = z.strictObject({
  /** The reviewer: a different worker than the one that did the task. */
  workerId: workerIdSchema,
  pass: z.boolean('must be true or false'),
  feedback: trimmed(LIMITS.feedbackChars).optional(),
  score: percentSchema.optional(),
});
export type ReviewTaskInput = z.input<typeof reviewSchema>;

export const registerWorkerSchema = z.strictObject({
  id: workerIdSchema,
  name: chars(LIMITS.workerNameChars).optional(),
  capabilities: capabilitiesSchema.optional(),
  host: chars(LIMITS.hostChars).optional(),
  pid: z.number().int('must be a whole number').nonnegative().optional(),
  concurrency: z
    .number()
    .int(`must be a whole number from 1 to ${LIMITS.concurrency}`)
    .min(1, `must be a whole number from 1 to ${LIMITS.concurrency}`)
    .max(LIMITS.concurrency, `must be a whole number from 1 to ${LIMITS.concurrency}`)
    .optional(),
  version: chars(LIMITS.versionChars).optional(),
  /**
   * Take the id over from another live process (another `host`/`pid`), which is otherwise refused
   * with `worker_id_in_use`; the other process learns it on its next claim and stops.
   */
  replace: z.boolean().optional(),
  /** Its circuit breaker (`core/breaker.ts`): a config keeps the state so far; null removes it. */
  breaker: breakerConfigSchema.nullable().optional(),
});
export type RegisterWorkerInput = z.input<typeof registerWorkerSchema>;

const bytes = z.number().int('must be a whole number of bytes').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER);

/** A worker's own heartbeat: it is alive, and what its process uses. */
export const workerHeartbeatSchema = z.strictObject({
  workerId: workerIdSchema,
  usage: z.strictObject({
    rssBytes: bytes,
    heapUsedBytes: bytes.optional(),
    /** 100 is one core fully busy; a process on several cores may report more (up to 100 per core). */
    cpuPercent: z
      .number('must be a number')
      .nonnegative('must not be negative')
      .max(LIMITS.cpuPercent, `must be at most ${LIMITS.cpuPercent}`),
  }),
});
export type WorkerHeartbeatInput = z.input<typeof workerHeartbeatSchema>;

/** `events(query)`: any number of events; an HTTP answer holds one page of them. */
export const eventsQuerySchema = z.strictObject({
  taskId: taskIdSchema.optional(),
  /** Only events after this id. */
  afterId: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
  limit: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  /** Only events of these tasks (a batch read of several tasks' histories). */
  taskIds: z.array(taskIdSchema).max(LIMITS.listLimit, `must have at most ${LIMITS.listLimit} items`).optional(),
  /** With `taskIds`: only the newest this many events of each task. */
  perTask: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
});
export type EventsQuery = z.input<typeof eventsQuerySchema>;
