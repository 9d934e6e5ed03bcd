import { z } from 'zod';
import { PLANNER_NAMES } from '../core/breakdown/types.js';
import { createTaskSchema } from '../core/schemas.js';
import { TASK_STATUSES } from '../core/types.js';
import { DESCRIPTION_MAX } from '../core/values.js';

/**
 * Input of each MCP tool. Task fields reuse the shared shapes of `core/schemas.ts`, so an agent's
 * input is held to the same rules as the CLI's and the HTTP API's. Every object is strict: a
 * misspelt argument is refused by name instead of being silently ignored.
 */

const taskId = z.number().int().positive().describe('task id');
const capabilities = createTaskSchema.shape.capabilities;

/** Fields of a task that get_task can page through when the summary view cut them short. */
export const LONG_FIELDS = [
  'description',
  'input',
  'result',
  'notes',
  'checkpoints',
  'artifacts',
  'history',
  'dependsOn',
  'subtasks',
  'lastError',
  'command',
] as const;
export type LongField = (typeof LONG_FIELDS)[number];

/** Clients commonly give up on a request after 60 s; a longer wait would look like a hang. */
export const MAX_WAIT_SECONDS = 50;
export const LIST_DEFAULT_LIMIT = 20;
export const LIST_MAX_LIMIT = 100;

export const nextTaskInput = z.strictObject({
  capabilities: capabilities.describe('what you can do, e.g. ["typescript","tests"]; kept for this session'),
  waitSeconds: z
    .number()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .optional()
    .describe(`wait up to this long for a task to become ready (0–${MAX_WAIT_SECONDS}, default 0)`),
});

export const getTaskInput = z.strictObject({
  id: taskId,
  field: z
    .enum(LONG_FIELDS)
    .optional()
    .describe('read one long field in full, page by page (use when the task view says it was cut)'),
  offset: z.number().int().min(0).optional().describe('with field: character offset to read from (default 0)'),
});

export const listTasksInput = z.strictObject({
  status: z.array(z.enum(TASK_STATUSES)).min(1).max(TASK_STATUSES.length).optional().describe('only these statuses'),
  assignee: z.string().min(1).max(100).optional().describe('only tasks held by or reserved for this worker id'),
  mine: z.boolean().optional().describe('only tasks held by or reserved for you'),
  tag: z.string().min(1).max(100).optional(),
  parentId: taskId.optional().describe('only the subtasks of this task'),
  ready: z.boolean().optional().describe('only tasks that can be claimed now'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(LIST_MAX_LIMIT)
    .optional()
    .describe(`page size (default ${LIST_DEFAULT_LIMIT}, max ${LIST_MAX_LIMIT})`),
  offset: z.number().int().min(0).optional().describe('skip this many (use nextOffset of the previous page)'),
});

export const createTaskInput = createTaskSchema.pick({
  title: true,
  description: true,
  type: true,
  priority: true,
  capabilities: true,
  tags: true,
  parentId: true,
  dependsOn: true,
  estimateMinutes: true,
  review: true,
  noBreakdown: true,
});

export const breakdownTaskInput = z.strictObject({
  id: taskId,
  dryRun: z.boolean().optional().describe('only show the plan; create nothing'),
  planner: z.enum(PLANNER_NAMES).optional().describe('default: the configured planner (rules)'),
});

export const addDependencyInput = z.strictObject({
  id: taskId.describe('the task that must wait'),
  dependsOn: z.array(taskId).min(1).max(100).describe('tasks that must complete first'),
});

export const reportProgressInput = z.strictObject({
  id: taskId,
  progress: z.number().min(0).max(100).describe('percent done, 0–100'),
  note: z.string().max(DESCRIPTION_MAX).optional().describe('what you did or found (kept in the task notes)'),
  step: z.string().trim().min(1).max(200).optional().describe('name of the step reached (a checkpoint)'),
});

export const addNoteInput = z.strictObject({
  id: taskId,
  text: z.string().trim().min(1).max(DESCRIPTION_MAX).describe('the note: a finding, a decision, a question'),
});

export const completeTaskInput = z.strictObject({
  id: taskId,
  result: z.unknown().optional().describe('any JSON: what the task produced (summary, links, numbers)'),
  artifacts: z.array(z.string().trim().min(1).max(1000)).max(100).optional().describe('files or URLs produced'),
});

export const failTaskInput = z.strictObject({
  id: taskId,
  error: z.string().trim().min(1).max(10_000).describe('what went wrong, for whoever retries it'),
});

export const releaseTaskInput = z.strictObject({
  id: taskId,
  // Kept as a note prefixed with "released: ", which must itself fit a note.
  note: z
    .string()
    .trim()
    .min(1)
    .max(DESCRIPTION_MAX - 100)
    .optional()
    .describe('why, for whoever picks it up next'),
});

export const reviewTaskInput = z.strictObject({
  id: taskId,
  pass: z.boolean().describe('true accepts the work; false sends it back to the queue'),
  feedback: z.string().trim().min(1).max(DESCRIPTION_MAX).optional().describe('what to change (kept in the notes)'),
  score: z.number().min(0).max(100).optional(),
});

export const noInput = z.strictObject({});
