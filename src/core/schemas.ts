import { z } from 'zod';
import { BatonError, type ErrorCode } from './errors.js';
import { COMPLEXITIES, PRIORITIES, RETRY_POLICIES, TASK_STATUSES } from './types.js';
import { DESCRIPTION_MAX, TITLE_MAX } from './values.js';

/**
 * The shapes every edge validates (CLI, HTTP, MCP, config, import) — one schema per shape.
 * Loaded lazily by the app so that read-only commands start fast.
 */

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const names = z
  .array(name)
  .max(50, 'at most 50 entries')
  .transform((v) => [...new Set(v)]);
const taskId = z.number().int('must be a whole number').positive('must be a positive task id');
const isoTime = z.iso.datetime({ offset: true });

export const workerIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

export const retryPolicySchema = z.strictObject({
  policy: z.enum(RETRY_POLICIES),
  baseSeconds: z.number().min(0).max(86_400),
  maxSeconds: z
    .number()
    .min(0)
    .max(7 * 86_400),
  jitter: z.number().min(0).max(1),
});

export const createTaskSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(TITLE_MAX, `must be at most ${TITLE_MAX} characters`),
  description: z.string().max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`).optional(),
  type: name.optional(),
  priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }).optional(),
  capabilities: names.optional(),
  tags: names.optional(),
  parentId: taskId.optional(),
  dependsOn: z.array(taskId).max(1000).optional(),
  estimateMinutes: z.number().positive('must be a positive number of minutes').max(5_256_000).optional(),
  command: z.string().min(1, 'must not be empty').max(DESCRIPTION_MAX).optional(),
  input: z.unknown().optional(),
  maxRetries: z.number().int().min(0).max(100).optional(),
  retryPolicy: retryPolicySchema.optional(),
  timeoutSeconds: z
    .number()
    .positive('must be a positive number of seconds')
    .max(7 * 24 * 3600)
    .optional(),
  review: z.boolean().optional(),
  assignee: workerIdSchema.optional(),
  runAfter: isoTime.optional(),
  /** Opts out of automatic breakdown on creation (SPEC §6). */
  noBreakdown: z.boolean().optional(),
});
export type CreateTaskInput = z.input<typeof createTaskSchema>;

export const updateTaskSchema = z.strictObject({
  title: createTaskSchema.shape.title.optional(),
  description: z.string().max(DESCRIPTION_MAX).nullable().optional(),
  type: name.optional(),
  priority: createTaskSchema.shape.priority,
  capabilities: names.optional(),
  addCapabilities: names.optional(),
  removeCapabilities: names.optional(),
  tags: names.optional(),
  addTags: names.optional(),
  removeTags: names.optional(),
  estimateMinutes: createTaskSchema.shape.estimateMinutes.nullable(),
  command: z.string().min(1).max(DESCRIPTION_MAX).nullable().optional(),
  input: z.unknown().optional(),
  maxRetries: createTaskSchema.shape.maxRetries,
  retryPolicy: retryPolicySchema.nullable().optional(),
  timeoutSeconds: createTaskSchema.shape.timeoutSeconds.nullable(),
  review: z.boolean().optional(),
});
export type UpdateTaskInput = z.input<typeof updateTaskSchema>;

const note = z.strictObject({ at: isoTime, by: z.string(), text: z.string() });
const checkpoint = z.strictObject({ at: isoTime, by: z.string(), name: z.string(), progress: z.number() });
const artifact = z.strictObject({ at: isoTime, by: z.string(), path: z.string() });
const nullableString = z.string().nullable();

export const taskSchema = z.strictObject({
  id: taskId,
  title: z.string().min(1).max(TITLE_MAX),
  description: z.string().max(DESCRIPTION_MAX).nullable(),
  type: z.string().min(1),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(PRIORITIES),
  capabilities: z.array(z.string()),
  tags: z.array(z.string()),
  parentId: taskId.nullable(),
  dependsOn: z.array(taskId),
  estimateMinutes: z.number().positive().nullable(),
  complexity: z.enum(COMPLEXITIES),
  command: nullableString,
  input: z.unknown(),
  result: z.unknown(),
  progress: z.number().min(0).max(100),
  assignee: nullableString,
  reservedFor: nullableString,
  attempts: z.number().int().min(0),
  retries: z.number().int().min(0),
  maxRetries: z.number().int().min(0),
  retryPolicy: retryPolicySchema.nullable(),
  timeoutSeconds: z.number().positive().nullable(),
  lastError: nullableString,
  review: z
    .strictObject({
      required: z.boolean(),
      submittedBy: nullableString,
      reviewer: nullableString,
      verdict: z.enum(['pass', 'fail']).nullable(),
      feedback: nullableString,
      score: z.number().nullable(),
    })
    .nullable(),
  notes: z.array(note),
  checkpoints: z.array(checkpoint),
  artifacts: z.array(artifact),
  lease: z
    .strictObject({ owner: z.string(), token: z.number().int(), expiresAt: isoTime, seconds: z.number().positive() })
    .nullable(),
  leaseToken: z.number().int().min(0),
  pausedFrom: z.enum(TASK_STATUSES).nullable(),
  createdBy: nullableString,
  createdAt: isoTime,
  updatedAt: isoTime,
  startedAt: isoTime.nullable(),
  completedAt: isoTime.nullable(),
  runAfter: isoTime.nullable(),
  readyAt: isoTime.nullable(),
  claimOrder: z.number(),
  version: z.number().int().positive(),
});

export const eventSchema = z.strictObject({
  id: z.number().int().positive(),
  taskId: taskId.nullable(),
  workerId: nullableString,
  actor: nullableString,
  type: z.string().min(1),
  at: isoTime,
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  data: z.record(z.string(), z.unknown()).nullable(),
});

export const workerSchema = z.strictObject({
  id: z.string().min(1),
  name: nullableString,
  capabilities: z.array(z.string()),
  host: nullableString,
  pid: z.number().int().nullable(),
  concurrency: z.number().int().positive(),
  version: nullableString,
  registeredAt: isoTime,
  lastSeenAt: isoTime,
  state: z.enum(['active', 'stopped']),
});

export const dumpSchema = z.strictObject({
  format: z.literal('baton-export'),
  formatVersion: z.literal(1),
  schemaVersion: z.number().int().positive(),
  exportedAt: isoTime,
  tasks: z.array(taskSchema),
  events: z.array(eventSchema),
  workers: z.array(workerSchema),
});

/** Parses `value` or throws a coded error naming the first offending field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { code?: ErrorCode; what?: string } = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : (options.what ?? 'input');
  const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
  throw new BatonError(options.code ?? 'invalid_argument', `${field}: ${message}`, {
    field,
    issues: result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
