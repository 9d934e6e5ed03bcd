import { z } from 'zod';
import { PLANNER_NAMES } from '../core/breakdown/types.js';
import { createTaskSchema, eventSchema, taskSchema, updateTaskSchema, workerIdSchema, workerSchema } from '../core/schemas.js';
import { TASK_STATUSES } from '../core/types.js';

/**
 * Bodies, queries and answers of the HTTP API. Task shapes are the core schemas the CLI and MCP
 * use; the rest wrap the arguments of one `Baton` call each. Every object is strict, so an
 * unknown field is refused rather than silently ignored.
 */

const token = z.number().int().positive('must be a positive whole number').optional();
const capability = z.string().trim().min(1).max(100);
const taskId = z.number().int().positive();

export const leaseBody = z.strictObject({ workerId: workerIdSchema, token });
export const progressBody = leaseBody.extend({
  progress: z.number().min(0, 'must be from 0 to 100').max(100, 'must be from 0 to 100'),
  note: z.string().max(20_000).optional(),
  step: z.string().max(200).optional(),
});
export const completeBody = leaseBody.extend({
  result: z.unknown().optional(),
  artifacts: z.array(z.string().max(4_000)).max(1_000).optional(),
});
export const failBody = leaseBody.extend({ error: z.string().trim().min(1, 'must not be empty').max(100_000) });
export const noteBody = z.strictObject({
  workerId: workerIdSchema.optional(),
  text: z.string().trim().min(1, 'must not be empty').max(20_000),
});
export const reviewBody = z.strictObject({
  workerId: workerIdSchema,
  pass: z.boolean(),
  feedback: z.string().max(20_000).optional(),
  score: z.number().min(0).max(100).optional(),
});
export const claimBody = z.strictObject({
  workerId: workerIdSchema,
  capabilities: z.array(capability).max(50).optional(),
  leaseSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .optional(),
  /** Long-poll: wait up to this many seconds for a task to become ready. */
  wait: z.number().min(0).max(60, 'must be at most 60 seconds').optional(),
  limit: z.number().int().min(1).max(1_000).optional(),
});
export const dependenciesBody = z.strictObject({ dependsOn: z.array(taskId).min(1).max(1_000) });
export const assignBody = z.strictObject({ workerId: workerIdSchema });
export const breakdownBody = z.strictObject({ planner: z.enum(PLANNER_NAMES).optional(), dryRun: z.boolean().optional() });
export const cancelBody = z.strictObject({ reason: z.string().max(2_000).optional() });
export const emptyBody = z.strictObject({});
export const analyzeBody = z.strictObject({
  title: createTaskSchema.shape.title,
  description: z.string().max(20_000).optional(),
  type: z.string().max(100).optional(),
  capabilities: z.array(capability).max(50).optional(),
  tags: z.array(capability).max(50).optional(),
  estimateMinutes: z.number().positive().max(5_256_000).optional(),
});
export const registerWorkerBody = z.strictObject({
  id: workerIdSchema,
  name: z.string().max(200).optional(),
  capabilities: z.array(capability).max(50).optional(),
  host: z.string().max(255).optional(),
  pid: z.number().int().nonnegative().optional(),
  concurrency: z.number().int().min(1).max(1_000).optional(),
  version: z.string().max(100).optional(),
});
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

export const idParams = z.strictObject({ id: intParam.pipe(taskId) });
export const dependencyParams = z.strictObject({ id: intParam.pipe(taskId), dep: intParam.pipe(taskId) });
export const workerParams = z.strictObject({ id: workerIdSchema });
export const keyParams = z.strictObject({ id: z.string().min(1).max(100) });

export const listQuery = z.strictObject({
  status: csv.pipe(z.array(z.enum(TASK_STATUSES))).optional(),
  worker: workerIdSchema.optional(),
  tag: z.string().max(100).optional(),
  parent: intParam.pipe(taskId).optional(),
  ready: flag.optional(),
  limit: intParam.pipe(z.number().int().min(1).max(100_000)).optional(),
  offset: intParam.optional(),
});
export const updateQuery = z.strictObject({ ifVersion: intParam.pipe(z.number().int().positive()).optional() });
export const cancelQuery = z.strictObject({ reason: z.string().max(2_000).optional() });
export const workersQuery = z.strictObject({ available: flag.optional() });
export const historyQuery = z.strictObject({
  taskId: intParam.pipe(taskId).optional(),
  afterId: intParam.optional(),
  limit: intParam.pipe(z.number().int().min(1).max(10_000)).optional(),
});
export const streamQuery = z.strictObject({
  taskId: intParam.pipe(taskId).optional(),
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
export const taskPageSchema = z.strictObject({ tasks: z.array(taskSchema), total: z.number().int().nonnegative() });
export const claimAnswer = z.strictObject({ task: taskSchema.nullable(), tasks: z.array(taskSchema) });
export const workerViewSchema = workerSchema.extend({
  health: z.enum(['busy', 'idle', 'offline']),
  online: z.boolean(),
  currentTasks: z.array(taskId),
});
export const eventListSchema = z.strictObject({ events: z.array(eventSchema) });
export const errorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});
