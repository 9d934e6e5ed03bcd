import { z } from 'zod';
import { CONDITION_VARIABLES } from '../core/conditions.js';
import {
  breakdownOptionsSchema,
  cancelSchema,
  claimSchema,
  completeSchema,
  createTaskSchema,
  dependenciesSchema,
  failSchema,
  LIMITS,
  listQuerySchema,
  noteSchema,
  progressSchema,
  reviewSchema,
  taskIdSchema,
  updateTaskSchema,
} from '../core/schemas.js';

/**
 * Input of each MCP tool: the core schema of the `Baton` call it makes, less what the session
 * supplies (worker id, lease token), plus the task id. So an agent's input is held to the same
 * limits (`LIMITS`) as the CLI's and the HTTP API's, and refused with the same field named. Every
 * object is strict: a misspelt argument is refused by name instead of being silently ignored.
 */

const taskId = taskIdSchema.describe('task id');

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

export const MAX_WAIT_SECONDS = LIMITS.mcpClaimWaitSeconds;
/** A page an agent can read at a glance; it asks for more with offset. */
export const LIST_DEFAULT_LIMIT = 20;
export const LIST_MAX_LIMIT = LIMITS.mcpListLimit;

export const nextTaskInput = z.strictObject({
  capabilities: claimSchema.shape.capabilities.describe('what you can do, e.g. ["typescript","tests"]; kept for this session'),
  waitSeconds: claimSchema.shape.waitSeconds
    .unwrap()
    .max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS} seconds`)
    .optional()
    .describe(`wait up to this long for a task to become ready (0–${MAX_WAIT_SECONDS}, default 0)`),
});

export const claimTaskInput = z.strictObject({
  id: taskId.describe('the ready task to claim'),
  capabilities: nextTaskInput.shape.capabilities,
});

export const getTaskInput = z.strictObject({
  id: taskId,
  field: z
    .enum(LONG_FIELDS)
    .optional()
    .describe('read one long field in full, page by page (use when the task view says it was cut)'),
  offset: z.number().int().min(0).optional().describe('with field: character offset to read from (default 0)'),
});

const list = listQuerySchema.shape;
export const listTasksInput = z.strictObject({
  status: list.status.unwrap().min(1).optional().describe('only these statuses'),
  assignee: list.worker.describe('only tasks held by or reserved for this worker id'),
  mine: z.boolean().optional().describe('only tasks held by or reserved for you'),
  tag: list.tag,
  parentId: list.parentId.describe('only the subtasks of this task'),
  ready: list.ready.describe('only tasks that can be claimed now'),
  limit: list.limit
    .unwrap()
    .max(LIST_MAX_LIMIT, `must be from 1 to ${LIST_MAX_LIMIT}`)
    .optional()
    .describe(`page size (default ${LIST_DEFAULT_LIMIT}, max ${LIST_MAX_LIMIT})`),
  offset: list.offset.describe('skip this many (use nextOffset of the previous page)'),
  priority: list.priority.describe('only these priorities'),
  capability: list.capability.describe('only tasks needing at least one of these capabilities'),
  q: list.q.describe('only tasks whose title or description has these words (each a word prefix)'),
  all: z
    .boolean()
    .optional()
    .describe('also completed, cancelled and skipped tasks (left out by default unless status is given)'),
  sort: list.sort.describe('claim (default: the order workers receive them), priority, created, updated (newest first)'),
});

export const searchTasksInput = z.strictObject({
  q: list.q.unwrap().describe('words of the title or description, e.g. "login timeout" (each a word prefix, all required)'),
  status: listTasksInput.shape.status,
  all: listTasksInput.shape.all,
  limit: listTasksInput.shape.limit,
  offset: listTasksInput.shape.offset,
});

export const updateTaskInput = updateTaskSchema
  .pick({
    title: true,
    description: true,
    type: true,
    priority: true,
    addCapabilities: true,
    removeCapabilities: true,
    addTags: true,
    removeTags: true,
    estimate: true,
    maxRetries: true,
    review: true,
    runAfter: true,
  })
  .extend({
    id: taskId,
    ifVersion: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('refuse (version_mismatch) if the task changed since this version'),
  });

export const cancelTaskInput = z.strictObject({
  id: taskId,
  reason: cancelSchema.shape.reason.describe('why, kept in the history'),
});

export const taskRefInput = z.strictObject({ id: taskId });

const ifVersion = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('the version you read: refused with version_mismatch if the task changed meanwhile');

export const removeDependencyInput = z.strictObject({
  id: taskId.describe('the task that waits'),
  dependsOn: taskIdSchema.describe('the dependency to remove'),
  ifVersion,
});

export const createTaskInput = createTaskSchema.pick({
  title: true,
  description: true,
  type: true,
  priority: true,
  capabilities: true,
  resources: true,
  queue: true,
  tags: true,
  parentId: true,
  dependsOn: true,
  estimateMinutes: true,
  estimate: true,
  review: true,
  noBreakdown: true,
  hold: true,
  runAfter: true,
  every: true,
  timezone: true,
  team: true,
  collaborators: true,
  swarm: true,
  merge: true,
  inputFrom: true,
});

export const breakdownTaskInput = z.strictObject({
  id: taskId,
  dryRun: breakdownOptionsSchema.shape.dryRun.describe('only show the plan; create nothing'),
  planner: breakdownOptionsSchema.shape.planner.describe('default: the configured planner (rules)'),
});

export const addDependencyInput = z.strictObject({
  id: taskId.describe('the task that must wait'),
  dependsOn: dependenciesSchema.shape.dependsOn.describe(
    'tasks that must complete first: a task id, or { id, if } where `if` is a CEL condition over that task as it finished ' +
      `(${CONDITION_VARIABLES}), e.g. "result.passed == true"; when it is not true, or that task failed, this one is skipped`,
  ),
  ifVersion,
});

export const reportProgressInput = z.strictObject({
  id: taskId,
  progress: progressSchema.shape.progress.describe('percent done, 0–100'),
  note: progressSchema.shape.note.describe('what you did or found (kept in the task notes)'),
  step: progressSchema.shape.step.describe('name of the step reached (a checkpoint)'),
});

export const addNoteInput = z.strictObject({
  id: taskId,
  text: noteSchema.shape.text.describe('the note: a finding, a decision, a question'),
});

export const completeTaskInput = z.strictObject({
  id: taskId,
  result: completeSchema.shape.result.describe('any JSON: what the task produced (summary, links, numbers)'),
  artifacts: completeSchema.shape.artifacts.describe('files or URLs produced'),
});

export const failTaskInput = z.strictObject({
  id: taskId,
  error: failSchema.shape.error.describe('what went wrong, for whoever retries it'),
});

/** release_task keeps its note as a note prefixed with this, which must itself fit a note. */
export const RELEASE_NOTE_PREFIX = 'released: ';

export const releaseTaskInput = z.strictObject({
  id: taskId,
  note: noteSchema.shape.text
    .max(
      LIMITS.noteChars - RELEASE_NOTE_PREFIX.length,
      `must be at most ${LIMITS.noteChars - RELEASE_NOTE_PREFIX.length} characters`,
    )
    .optional()
    .describe('why, for whoever picks it up next'),
});

export const reviewTaskInput = z.strictObject({
  id: taskId,
  pass: reviewSchema.shape.pass.describe('true accepts the work; false sends it back to the queue'),
  feedback: reviewSchema.shape.feedback.describe('what to change (kept in the notes)'),
  score: reviewSchema.shape.score,
});

export const noInput = z.strictObject({});
