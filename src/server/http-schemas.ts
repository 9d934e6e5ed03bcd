import { z } from 'zod';
import {
  analyzeSubjectSchema,
  assignSchema,
  attemptLogSchema,
  BULK_ACTIONS,
  breakdownAllSchema,
  breakdownOptionsSchema,
  bulkSchema,
  cancelSchema,
  claimManySchema,
  claimTaskSchema,
  completeManySchema,
  completeSchema,
  complexityReportSchema,
  createTaskSchema,
  dependenciesSchema,
  eventSchema,
  eventsQuerySchema,
  exportPlanSchema,
  failSchema,
  LIMITS,
  leaseRefSchema,
  listQuerySchema,
  noteSchema,
  progressSchema,
  registerWorkerSchema,
  reviewSchema,
  taskIdSchema,
  taskSchema,
  unassignSchema,
  updateTaskSchema,
  workerHeartbeatSchema,
  workerIdSchema,
  workerSchema,
} from '../core/schemas.js';
import { TASK_STATUSES } from '../core/types.js';

/**
 * Bodies, queries and answers of the HTTP API. A body is the core schema of the `Baton` call it
 * makes, so the API holds every input to the same limits (`LIMITS`) as the app, the CLI and MCP;
 * only what travels differently is reshaped here (query strings are text, a claim waits per
 * request). Every object is strict, so an unknown field is refused rather than silently ignored.
 */

export const leaseBody = leaseRefSchema;
export const progressBody = progressSchema;
export const completeBody = completeSchema;
export const completionsBody = completeManySchema;
export const failBody = failSchema;
export const noteBody = noteSchema;
export const attemptLogBody = attemptLogSchema;
export const attemptLogAppended = z.object({ taskId: z.number(), attempt: z.number(), bytes: z.number() });
export const reviewBody = reviewSchema;
export const claimBody = claimManySchema.omit({ signal: true, waitSeconds: true }).extend({
  /** Long-poll: wait up to this many seconds for a task to become ready. */
  wait: claimManySchema.shape.waitSeconds
    .unwrap()
    .max(LIMITS.httpClaimWaitSeconds, `must be at most ${LIMITS.httpClaimWaitSeconds} seconds`)
    .optional(),
  limit: claimManySchema.shape.limit.optional(),
});
export const claimTaskBody = claimTaskSchema;
export const dependenciesBody = dependenciesSchema;
export const assignBody = assignSchema;
export const unassignBody = unassignSchema;
export const breakdownBody = breakdownOptionsSchema;
export const breakdownAllBody = breakdownAllSchema;
export const cancelBody = cancelSchema;
export const emptyBody = z.strictObject({});
export const analyzeBody = analyzeSubjectSchema;
export const registerWorkerBody = registerWorkerSchema;
export const workerHeartbeatBody = workerHeartbeatSchema.omit({ workerId: true });
export const importBody = z.unknown();
export { createTaskSchema, updateTaskSchema };

// Query strings arrive as text: numbers and flags are parsed strictly (no "12abc", no "").
const intParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a whole number')
  .transform(Number);
const flag = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1' || v === '');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
/** `1,2,3`: whole numbers, comma-separated. */
const csvIds = csv.pipe(z.array(intParam));

export const idParams = z.strictObject({ id: intParam.pipe(taskIdSchema) });
export const dependencyParams = z.strictObject({ id: intParam.pipe(taskIdSchema), dep: intParam.pipe(taskIdSchema) });
export const workerParams = z.strictObject({ id: workerIdSchema });
/** Webhook and alert listings: `?hook=2&limit=50`, `?open=true&limit=50`. */
export const deliveriesQuery = z.strictObject({ hook: intParam.optional(), limit: intParam.optional() });
export const alertsQuery = z.strictObject({ open: flag.optional(), limit: intParam.optional() });
export const keyParams = z.strictObject({ id: z.string().min(1).max(100) });

const list = listQuerySchema.shape;
export const listQuery = z.strictObject({
  status: csv.pipe(list.status.unwrap()).optional(),
  worker: list.worker,
  tag: list.tag,
  parent: intParam.pipe(list.parentId.unwrap()).optional(),
  /** Only these tasks, comma-separated ids. */
  ids: csvIds.pipe(list.ids.unwrap()).optional(),
  /** Only subtasks of these parents, comma-separated ids. */
  parentIds: csvIds.pipe(list.parentIds.unwrap()).optional(),
  ready: flag.optional(),
  limit: intParam.pipe(list.limit.unwrap()).optional(),
  offset: intParam.pipe(list.offset.unwrap()).optional(),
  cursor: list.cursor,
  /** Words of the title or description, each a word prefix. */
  q: list.q,
  priority: csv.pipe(list.priority.unwrap()).optional(),
  capability: csv.pipe(list.capability.unwrap()).optional(),
  /** Leaves out completed, cancelled and skipped tasks. */
  open: flag.optional(),
  /** Only tasks broken into subtasks (true), or only tasks without any (false). */
  parents: flag.optional(),
  sort: list.sort,
});
/** The filters of `GET /tasks/counts`: those of the listing, without paging or order. */
export const countsQuery = listQuery.omit({
  ids: true,
  parentIds: true,
  ready: true,
  limit: true,
  offset: true,
  cursor: true,
  sort: true,
});
export const updateQuery = z.strictObject({ ifVersion: intParam.pipe(z.number().int().positive()).optional() });
export const cancelQuery = cancelSchema;
export const workersQuery = z.strictObject({ available: flag.optional() });
export const planExportQuery = z.strictObject({
  root: intParam.pipe(exportPlanSchema.shape.root.unwrap()).optional(),
  skipCancelled: flag.optional(),
  format: z.enum(['json', 'md']).optional(),
});
export const complexityQuery = z.strictObject({
  threshold: intParam.pipe(complexityReportSchema.shape.threshold.unwrap()).optional(),
});
const events = eventsQuerySchema.shape;
export const historyQuery = z.strictObject({
  taskId: intParam.pipe(events.taskId.unwrap()).optional(),
  afterId: intParam.pipe(events.afterId.unwrap()).optional(),
  /** Only events of these tasks, comma-separated ids. */
  taskIds: csvIds.pipe(events.taskIds.unwrap()).optional(),
  /** With taskIds: the newest this many events of each task. */
  perTask: intParam.pipe(events.perTask.unwrap()).optional(),
  /** One page; `afterId` pages on. */
  limit: intParam.pipe(events.limit.unwrap().max(LIMITS.eventsPageLimit, `must be at most ${LIMITS.eventsPageLimit}`)).optional(),
});
export const streamQuery = z.strictObject({
  taskId: intParam.pipe(taskIdSchema).optional(),
  /** Event types to send, comma-separated (`claimed,completed`); all when absent. */
  type: csv.optional(),
  /** Resume after this event id (as `Last-Event-ID` does, for clients that cannot set headers). */
  after: intParam.optional(),
  /** The API key, for browsers' EventSource, which cannot send an Authorization header. */
  access_token: z.string().max(200).optional(),
});
export const noQuery = z.strictObject({});

// Answers.
export { eventSchema, taskSchema };
export const taskPageSchema = z.strictObject({
  tasks: z.array(taskSchema),
  total: z.number().int().nonnegative(),
  next: z.string().nullable(),
});
export { bulkSchema };
export const taskCountsSchema = z.strictObject({
  total: z.number().int().nonnegative(),
  byStatus: z.strictObject(Object.fromEntries(TASK_STATUSES.map((s) => [s, z.number().int().nonnegative()]))),
});
export const bulkResultSchema = z.strictObject({
  action: z.enum(BULK_ACTIONS),
  dryRun: z.boolean(),
  count: z.number().int().nonnegative(),
  ids: z.array(taskIdSchema),
  tasks: z.array(taskSchema),
});
export const claimAnswer = z.strictObject({ task: taskSchema.nullable(), tasks: z.array(taskSchema) });
export const workerViewSchema = workerSchema.extend({
  health: z.enum(['busy', 'idle', 'offline']),
  online: z.boolean(),
  currentTasks: z.array(taskIdSchema),
});
export const eventListSchema = z.strictObject({ events: z.array(eventSchema) });
const refusalSchema = z.strictObject({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) });
export const errorSchema = z.strictObject({ error: refusalSchema });
/** Per completion, in the order asked: `ok` with the task, or not with the refusal `/tasks/{id}/complete` would have answered. */
export const completionsAnswer = z.strictObject({
  results: z.array(
    z.strictObject({ id: taskIdSchema, ok: z.boolean(), task: taskSchema.optional(), error: refusalSchema.optional() }),
  ),
});
