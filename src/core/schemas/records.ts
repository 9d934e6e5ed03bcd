import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { jsonProblem } from '../text.js';
import { COMPLEXITIES, PRIORITIES, SWARM_MERGES, TASK_STATUSES } from '../types.js';
import { isoTimeSchema, retryPolicySchema, taskIdSchema } from './fields.js';

/**
 * Records as Baton writes them: the answers of the HTTP API are checked against these in tests,
 * and an import (`importData`) is parsed with `dumpSchema` before anything is written.
 */

const note = z.strictObject({ at: isoTimeSchema, by: z.string(), text: z.string() });
const checkpoint = z.strictObject({ at: isoTimeSchema, by: z.string(), name: z.string(), progress: z.number() });
const artifact = z.strictObject({ at: isoTimeSchema, by: z.string(), path: z.string() });
const nullableString = z.string().nullable();

export const taskSchema = z.strictObject({
  id: taskIdSchema,
  title: z.string().min(1).max(LIMITS.titleChars),
  description: z.string().max(LIMITS.descriptionChars).nullable(),
  type: z.string().min(1),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(PRIORITIES),
  capabilities: z.array(z.string()),
  resources: z.array(z.string()).default([]),
  /** Absent from exports made before named queues. */
  queue: z.string().default('default'),
  tags: z.array(z.string()),
  parentId: taskIdSchema.nullable(),
  dependsOn: z.array(taskIdSchema),
  /** Absent from exports made before conditional dependencies. */
  conditions: z.array(z.strictObject({ on: taskIdSchema, if: z.string().max(LIMITS.conditionChars) })).default([]),
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
    .strictObject({ owner: z.string(), token: z.number().int(), expiresAt: isoTimeSchema, seconds: z.number().positive() })
    .nullable(),
  leaseToken: z.number().int().min(0),
  pausedFrom: z.enum(TASK_STATUSES).nullable(),
  createdBy: nullableString,
  createdAt: isoTimeSchema,
  updatedAt: isoTimeSchema,
  startedAt: isoTimeSchema.nullable(),
  completedAt: isoTimeSchema.nullable(),
  runAfter: isoTimeSchema.nullable(),
  readyAt: isoTimeSchema.nullable(),
  claimOrder: z.number(),
  // Optional so that exports written before recurring tasks existed still load.
  recurrence: z
    .strictObject({
      every: z.string().min(1),
      timezone: nullableString,
      fireAt: isoTimeSchema,
      templateId: taskIdSchema.nullable(),
      occurrenceId: taskIdSchema.nullable(),
    })
    .nullable()
    .default(null),
  // Optional so that exports written before teams and swarms existed still load.
  team: nullableString.default(null),
  collaborators: z.array(z.string()).default([]),
  swarm: z
    .union([
      z.strictObject({
        role: z.literal('parent'),
        size: z.number().int().positive(),
        merge: z.enum(SWARM_MERGES),
        mergeCommand: nullableString,
      }),
      z.strictObject({ role: z.literal('attempt'), of: taskIdSchema, attempt: z.number().int().positive() }),
    ])
    .nullable()
    .default(null),
  inputFrom: taskIdSchema.nullable().default(null),
  version: z.number().int().positive(),
});

export const eventSchema = z.strictObject({
  id: z.number().int().positive(),
  taskId: taskIdSchema.nullable(),
  workerId: nullableString,
  actor: nullableString,
  type: z.string().min(1),
  at: isoTimeSchema,
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  data: z.record(z.string(), z.unknown()).nullable(),
});

/** A worker's circuit breaker (`core/breaker.ts`). */
export const breakerConfigSchema = z.strictObject({
  failures: z.number().int().positive().max(1000),
  cooldownSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 86_400),
  rate: z.strictObject({ ratio: z.number().positive().max(1), window: z.number().int().min(2).max(1000) }).nullable(),
});

const breakerStateSchema = z.strictObject({
  config: breakerConfigSchema,
  mode: z.enum(['closed', 'open', 'half_open']),
  consecutive: z.number().int().min(0),
  recent: z.array(z.boolean()),
  trips: z.number().int().min(0),
  openedAt: isoTimeSchema.nullable(),
  reopensAt: isoTimeSchema.nullable(),
  probeAt: isoTimeSchema.nullable(),
  reason: nullableString,
});

export const workerSchema = z.strictObject({
  id: z.string().min(1),
  name: nullableString,
  capabilities: z.array(z.string()),
  host: nullableString,
  pid: z.number().int().nullable(),
  concurrency: z.number().int().positive(),
  version: nullableString,
  registeredAt: isoTimeSchema,
  lastSeenAt: isoTimeSchema,
  state: z.enum(['active', 'stopped']),
  // Exports written before workers reported their usage have none.
  usage: z
    .strictObject({
      rssBytes: z.number().int().nonnegative(),
      heapUsedBytes: z.number().int().nonnegative(),
      cpuPercent: z.number().nonnegative(),
      at: isoTimeSchema,
    })
    .nullable()
    .default(null),
  // Dumps written before circuit breakers have none.
  breaker: breakerStateSchema.nullable().default(null),
});

export const dumpSchema = z
  .strictObject({
    format: z.literal('baton-export'),
    formatVersion: z.literal(1),
    schemaVersion: z.number().int().positive(),
    exportedAt: isoTimeSchema,
    tasks: z.array(taskSchema),
    events: z.array(eventSchema),
    workers: z.array(workerSchema),
    resources: z
      .array(z.strictObject({ name: z.string().min(1), capacity: z.number().int().min(1).max(LIMITS.resourceCapacity) }))
      .optional(),
    teams: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          members: z.array(z.string().min(1)),
          leader: nullableString,
          createdAt: isoTimeSchema,
        }),
      )
      .optional(),
  })
  .superRefine((dump, ctx) => {
    // The text rule holds for an import too, so an export of either store loads into the other.
    // Payloads were held to LIMITS.jsonDepth when written; the margin covers the record around them.
    const problem = jsonProblem(dump, LIMITS.jsonDepth + 8);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  });
