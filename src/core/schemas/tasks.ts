import { z } from 'zod';
import { PLANNER_NAMES } from '../breakdown/types.js';
import { CONDITION_VARIABLES, conditionProblem } from '../conditions.js';
import { LIMITS } from '../limits.js';
import { ASSIGNMENT_MODES } from '../policy.js';
import { queueNameSchema } from '../queues.js';
import { resourceNameProblem } from '../resources.js';
import { searchWords, TASK_SORTS } from '../search.js';
import { PRIORITIES, TASK_STATUSES } from '../types.js';
import { readEstimate } from '../values.js';
import {
  capabilitiesSchema,
  chars,
  cronSchema,
  json,
  nameSchema,
  resourcesSchema,
  retryPolicySchema,
  runAfterSchema,
  seconds,
  tagsSchema,
  taskIdSchema,
  text,
  timezoneSchema,
  tooMany,
  trimmed,
  workerIdSchema,
} from './fields.js';
import { teamworkFields } from './teams.js';

/** Inputs of the task calls of `Baton`: create, change, list, depend, assign, cancel, break down. */

const prioritySchema = z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` });
const estimateSchema = z
  .number()
  .positive('must be a positive number of minutes')
  .max(LIMITS.estimateMinutes, `must be at most ${LIMITS.estimateMinutes} minutes`);
/** An estimate as the CLI takes it (`90m`, `4h30m`, `1d4h`); the app turns it into `estimateMinutes`. */
const estimateTextSchema = z
  .string()
  .max(LIMITS.nameChars, `must be at most ${LIMITS.nameChars} characters`)
  .superRefine((text, ctx) => {
    const read = readEstimate(text);
    if ('problem' in read) ctx.addIssue({ code: 'custom', message: read.problem });
  })
  .describe('the estimate as text, e.g. "90m", "4h30m", "1d4h" (a day is 8 h), instead of estimateMinutes');
// Kept as typed: a script's whitespace may matter.
const commandSchema = chars(LIMITS.commandChars).min(1, 'must not be empty');
const maxRetriesSchema = z
  .number()
  .int('must be a whole number')
  .min(0, `must be from 0 to ${LIMITS.maxRetries}`)
  .max(LIMITS.maxRetries, `must be from 0 to ${LIMITS.maxRetries}`);
const dependsOnSchema = z.array(taskIdSchema).max(LIMITS.dependsOn, tooMany(LIMITS.dependsOn));

export const createTaskSchema = z.strictObject({
  title: text(LIMITS.titleChars),
  description: chars(LIMITS.descriptionChars).optional(),
  type: nameSchema.optional(),
  priority: prioritySchema.optional(),
  capabilities: capabilitiesSchema.optional(),
  /** Resources held while executing (`name` or `name:N`); see `core/resources.ts`. */
  resources: resourcesSchema.optional(),
  /** The named queue it waits in (default `default`); a full queue refuses it (`queue_full`). */
  queue: queueNameSchema.optional(),
  tags: tagsSchema.optional(),
  parentId: taskIdSchema.optional(),
  dependsOn: dependsOnSchema.optional(),
  estimateMinutes: estimateSchema.optional(),
  /** The estimate as text, such as `4h30m`; instead of `estimateMinutes`. */
  estimate: estimateTextSchema.optional(),
  command: commandSchema.optional(),
  input: json(LIMITS.inputBytes).optional(),
  maxRetries: maxRetriesSchema.optional(),
  retryPolicy: retryPolicySchema.optional(),
  timeoutSeconds: seconds(LIMITS.durationSeconds).optional(),
  review: z.boolean().optional(),
  /** Reserved for this registered worker: only it may claim the task. */
  assignee: workerIdSchema.optional(),
  /** Reserve for `assignee` even though it lacks a capability the task needs. */
  force: z.boolean().optional(),
  /** Not claimable before then: an ISO-8601 time, or a delay from now such as `10m`. */
  runAfter: runAfterSchema.optional(),
  /** Makes the task recurring: a template that creates one task per fire time of this cron expression. */
  every: cronSchema.optional(),
  /** The time zone `every` is read in (IANA name); UTC by default. */
  timezone: timezoneSchema.optional(),
  /** Opts out of automatic breakdown on creation (SPEC §6). */
  noBreakdown: z.boolean().optional(),
  /**
   * Created on hold (paused): no worker claims it and it is not broken down on creation, so a
   * person can edit it or break it down first; resuming it releases it.
   */
  hold: z.boolean().optional(),
  /** How this task reaches a worker, instead of its queue's or the store's mode (`core/assignment.ts`). */
  assignment: z.enum(ASSIGNMENT_MODES, { error: `must be one of ${ASSIGNMENT_MODES.join(', ')}` }).optional(),
  ...teamworkFields,
});
export type CreateTaskInput = z.input<typeof createTaskSchema>;

export const updateTaskSchema = z.strictObject({
  title: createTaskSchema.shape.title.optional(),
  description: chars(LIMITS.descriptionChars).nullable().optional(),
  type: nameSchema.optional(),
  priority: prioritySchema.optional(),
  capabilities: capabilitiesSchema.optional(),
  addCapabilities: capabilitiesSchema.optional(),
  removeCapabilities: capabilitiesSchema.optional(),
  /** Replaces the resources held while executing; null or [] holds none. */
  resources: resourcesSchema.nullable().optional(),
  tags: tagsSchema.optional(),
  addTags: tagsSchema.optional(),
  removeTags: tagsSchema.optional(),
  estimateMinutes: estimateSchema.nullable().optional(),
  /** The estimate as text, such as `4h30m`; instead of `estimateMinutes`. */
  estimate: estimateTextSchema.optional(),
  command: commandSchema.nullable().optional(),
  input: json(LIMITS.inputBytes).optional(),
  maxRetries: maxRetriesSchema.optional(),
  retryPolicy: retryPolicySchema.nullable().optional(),
  timeoutSeconds: seconds(LIMITS.durationSeconds).nullable().optional(),
  review: z.boolean().optional(),
  /** Not claimable before then (ISO-8601 time, or a delay from now such as `10m`); null: at once. */
  runAfter: runAfterSchema.nullable().optional(),
});
export type UpdateTaskInput = z.input<typeof updateTaskSchema>;

/** Filters shared by listings, counts and bulk changes. */
export const taskFilterShape = {
  priority: z.array(prioritySchema).max(PRIORITIES.length, tooMany(PRIORITIES.length)).optional(),
  /** Tasks needing at least one of these capabilities. */
  capability: capabilitiesSchema.optional(),
  /** Words of the title or description (each a word prefix, all required). */
  q: chars(LIMITS.searchChars)
    .refine((t) => searchWords(t).length > 0, 'must contain a word (letters or digits)')
    .optional(),
  /** Leaves out completed, cancelled and skipped tasks. */
  open: z.boolean().optional(),
  /** Only tasks broken into subtasks (true: epics and other parents), or only tasks without any (false). */
  parents: z.boolean().optional(),
};

export const listQuerySchema = z.strictObject({
  status: z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length, tooMany(TASK_STATUSES.length)).optional(),
  /** Tasks held by or reserved for this worker. */
  worker: workerIdSchema.optional(),
  tag: nameSchema.optional(),
  parentId: taskIdSchema.optional(),
  /** Only these tasks (a batch read by id). */
  ids: z.array(taskIdSchema).max(LIMITS.listLimit, tooMany(LIMITS.listLimit)).optional(),
  /** Only subtasks of these parents (a batch read of several parents' subtasks). */
  parentIds: z.array(taskIdSchema).max(LIMITS.listLimit, tooMany(LIMITS.listLimit)).optional(),
  /** Only tasks claimable now, in the order workers receive them. */
  ready: z.boolean().optional(),
  ...taskFilterShape,
  /** The order: claim (as workers receive them), priority, created (id order, the default), updated (newest first). */
  sort: z.enum(TASK_SORTS, { error: `must be one of ${TASK_SORTS.join(', ')}` }).optional(),
  limit: z
    .number()
    .int('must be a whole number')
    .min(1, `must be from 1 to ${LIMITS.listLimit}`)
    .max(LIMITS.listLimit, `must be from 1 to ${LIMITS.listLimit}`)
    .optional(),
  offset: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
  /** Where the previous page ended: its `next`. */
  cursor: chars(LIMITS.cursorChars).optional(),
});
export type ListQuery = z.input<typeof listQuerySchema>;

/** A condition of a dependency: a CEL expression over the dependency as it finished. */
export const conditionSchema = chars(LIMITS.conditionChars)
  .refine((t) => t.trim().length > 0, 'must not be empty')
  .superRefine((t, ctx) => {
    const problem = conditionProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    `a CEL expression over the dependency as it finished (${CONDITION_VARIABLES}), e.g. "result.passed == true"; ` +
      'the task runs only if the dependency completed and this is true, else it is skipped',
  );

/** One dependency: a task id, or `{ id, if }` for a conditional one. */
export const dependencyItemSchema = z.union([taskIdSchema, z.strictObject({ id: taskIdSchema, if: conditionSchema.optional() })]);
export type DependencyInput = z.input<typeof dependencyItemSchema>;

/** `addDependencies(id, dependsOn)`. */
export const dependenciesSchema = z.strictObject({
  dependsOn: z
    .array(dependencyItemSchema)
    .max(LIMITS.dependsOn, tooMany(LIMITS.dependsOn))
    .min(1, 'expected one or more task ids'),
});

/** A worker named by one call: `assignTask(id, workerId)`, `unregisterWorker(workerId)`. */
export const workerRefSchema = z.strictObject({ workerId: workerIdSchema });

/** `assignTask(id, workerId, { force })`. */
export const assignSchema = workerRefSchema.extend({
  /** Reserve even though the worker lacks a capability the task needs. */
  force: z.boolean().optional(),
});
export type AssignInput = z.input<typeof assignSchema>;

/** `unassignTask(id, { reason })`. */
export const unassignSchema = z.strictObject({
  /** Why, kept in the history. */
  reason: trimmed(LIMITS.reasonChars).optional(),
});
export type UnassignInput = z.input<typeof unassignSchema>;

/** `cancelTask(id, { reason })`. */
export const cancelSchema = z.strictObject({
  /** Why, kept in the history. */
  reason: trimmed(LIMITS.reasonChars).optional(),
});

/** `setResource(name, { capacity })`. */
export const setResourceSchema = z.strictObject({
  name: z.string().superRefine((name, ctx) => {
    const problem = resourceNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  capacity: z
    .number()
    .int('must be a whole number')
    .min(1, `must be from 1 to ${LIMITS.resourceCapacity}`)
    .max(LIMITS.resourceCapacity, `must be from 1 to ${LIMITS.resourceCapacity}`),
});
export type SetResourceInput = z.input<typeof setResourceSchema>;

/** `breakdown(id, options)`. */
export const breakdownOptionsSchema = z.strictObject({
  /** Defaults to `breakdown.planner` of the config (`rules` unless set). */
  planner: z.enum(PLANNER_NAMES).optional(),
  /** Return the plan and write nothing. */
  dryRun: z.boolean().optional(),
});

const thresholdSchema = z
  .number('must be a whole number from 1 to 10')
  .int('must be a whole number from 1 to 10')
  .min(1, 'must be a whole number from 1 to 10')
  .max(10, 'must be a whole number from 1 to 10');

/** `complexityReport(query)`. */
export const complexityReportSchema = z.strictObject({ threshold: thresholdSchema.optional() });

/** `breakdownAll(options)`: the report's threshold and each breakdown's options. */
export const breakdownAllSchema = breakdownOptionsSchema.extend({ threshold: thresholdSchema.optional() });

/** `analyze(subject)`: a task not yet created. */
export const analyzeSubjectSchema = createTaskSchema.pick({
  title: true,
  description: true,
  type: true,
  capabilities: true,
  tags: true,
  estimateMinutes: true,
  estimate: true,
});
