import type { z } from 'zod';
import { tagsWithAssignment } from './assignment.js';
import { analyzeComplexity } from './breakdown/complexity.js';
import { BatonError, invalid } from './errors.js';
import { type RuleTime, reprioritisePatch, type TaskPatch } from './lifecycle.js';
import { taskClaimOrder } from './ordering.js';
import type { Policy } from './policy.js';
import { DEFAULT_QUEUE } from './queues.js';
import { readRunAfter } from './recurrence.js';
import { resourceSpecs } from './resources.js';
import type { createTaskSchema, updateTaskSchema } from './schemas.js';
import type { Complexity, Recurrence, Review, Task } from './types.js';

type CreateInput = z.output<typeof createTaskSchema>;
type UpdateInput = z.output<typeof updateTaskSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

export interface NewTaskContext {
  now: number;
  policy: Policy;
  actor: string | null;
  complexity: Complexity;
  /** Whether a dependency is still open: the task starts blocked. */
  depsOpen: boolean;
  /** Set for the template of a recurring task (never claimed: it starts and stays blocked) or an occurrence. */
  recurrence?: Recurrence | undefined;
}

/** A task as it is created from validated input: its first state and every default (SPEC §2). */
export function newTaskRecord(input: CreateInput, ctx: NewTaskContext): Omit<Task, 'id' | 'version' | 'updatedAt'> {
  const { now, policy } = ctx;
  const priority = input.priority ?? 'normal';
  // A queue's settings are the defaults of its tasks, below what the task itself says.
  const queue = input.queue ?? DEFAULT_QUEUE;
  const settings = policy.queues[queue];
  const reservedFor = input.assignee ?? null;
  const runAfterMs = input.runAfter ? startTime(input.runAfter, now) : 0;
  const readyAtMs = Math.max(now, runAfterMs);
  const template = ctx.recurrence !== undefined && ctx.recurrence.templateId === null;
  const blocked = ctx.depsOpen || template;
  return {
    title: input.title,
    description: input.description ?? null,
    type: input.type ?? 'feature',
    status: blocked ? 'blocked' : reservedFor ? 'assigned' : 'queued',
    priority,
    capabilities: input.capabilities ?? [],
    resources: resourceSpecs(input.resources ?? []).map((r) => r.name),
    queue,
    tags: tagsWithAssignment(input.tags ?? [], input.assignment),
    parentId: input.parentId ?? null,
    dependsOn: input.dependsOn ? [...new Set(input.dependsOn)] : [],
    conditions: [],
    estimateMinutes: input.estimateMinutes ?? null,
    complexity: ctx.complexity,
    command: input.command ?? null,
    input: input.input ?? null,
    result: null,
    progress: 0,
    assignee: reservedFor,
    reservedFor,
    attempts: 0,
    retries: 0,
    maxRetries: input.maxRetries ?? settings?.maxRetries ?? policy.maxRetries,
    retryPolicy: input.retryPolicy ?? settings?.retry ?? null,
    timeoutSeconds: input.timeoutSeconds ?? settings?.timeoutSeconds ?? policy.taskTimeoutSeconds,
    lastError: null,
    review: input.review ? { ...emptyReview(), required: true } : null,
    notes: [],
    checkpoints: [],
    artifacts: [],
    lease: null,
    leaseToken: 0,
    pausedFrom: null,
    createdBy: ctx.actor,
    createdAt: iso(now),
    startedAt: null,
    completedAt: null,
    runAfter: runAfterMs > now && !template ? iso(runAfterMs) : null,
    readyAt: blocked ? null : iso(readyAtMs),
    claimOrder: taskClaimOrder(readyAtMs, { priority, queue }, policy),
    recurrence: ctx.recurrence ?? null,
    team: input.team ?? null,
    collaborators: input.collaborators ?? [],
    swarm: input.swarm
      ? { role: 'parent', size: input.swarm, merge: input.merge ?? 'all', mergeCommand: input.mergeCommand ?? null }
      : null,
    inputFrom: input.inputFrom ?? null,
  };
}

/** A start time as given (`runAfter`: ISO time or a delay such as `10m`), in ms, read at `now`. */
export function startTime(text: string, now: number): number {
  const read = readRunAfter(text, now);
  if ('problem' in read) throw invalid('runAfter', read.problem);
  return read.at;
}

/** Statuses whose start time may be set: work not yet started. */
const SCHEDULABLE: readonly Task['status'][] = ['blocked', 'queued', 'assigned', 'paused'];

/** The patch of `update --run-after` (null: claimable at once). */
function schedulePatch(task: Task, runAfter: string | null, clock: RuleTime): TaskPatch {
  const started = task.status === 'paused' && task.pausedFrom === 'executing';
  if (!SCHEDULABLE.includes(task.status) || started) {
    throw new BatonError(
      'illegal_transition',
      `cannot schedule task ${task.id}: it is ${task.status}, and only work not yet started can be scheduled`,
      {
        id: task.id,
        status: task.status,
        action: 'schedule',
        allowed: [...SCHEDULABLE],
      },
    );
  }
  if (task.recurrence !== null && task.recurrence.templateId === null) {
    throw invalid('runAfter', `task ${task.id} is a recurring template: its occurrences are scheduled by its cron expression`);
  }
  const at = runAfter === null ? 0 : startTime(runAfter, clock.now);
  const patch: TaskPatch = { runAfter: at > clock.now ? iso(at) : null };
  if (task.status === 'queued' || task.status === 'assigned') {
    const readyAtMs = Math.max(clock.now, at);
    patch.readyAt = iso(readyAtMs);
    patch.claimOrder = taskClaimOrder(readyAtMs, task, clock.policy);
  }
  return patch;
}

/** The patch an edit of fields makes (`baton update`); status is untouched. */
export function updatePatch(task: Task, input: UpdateInput, clock: RuleTime): TaskPatch {
  const patch: TaskPatch = {};
  if (input.title !== undefined) patch.title = input.title;
  if (input.description !== undefined) patch.description = input.description;
  if (input.type !== undefined) patch.type = input.type;
  if (input.command !== undefined) patch.command = input.command;
  if (input.input !== undefined) patch.input = input.input;
  if (input.maxRetries !== undefined) patch.maxRetries = input.maxRetries;
  if (input.retryPolicy !== undefined) patch.retryPolicy = input.retryPolicy;
  if (input.timeoutSeconds !== undefined) patch.timeoutSeconds = input.timeoutSeconds;
  if (input.estimateMinutes !== undefined) {
    patch.estimateMinutes = input.estimateMinutes;
    patch.complexity = analyzeComplexity({ ...task, ...patch, estimateMinutes: input.estimateMinutes }).complexity;
  }
  if (input.priority !== undefined && input.priority !== task.priority) {
    Object.assign(patch, reprioritisePatch(task, input.priority, clock));
  }
  if (input.resources !== undefined) {
    const names = resourceSpecs(input.resources ?? []).map((r) => r.name);
    if (JSON.stringify(names) !== JSON.stringify(task.resources)) patch.resources = names;
  }
  const caps = editList(task.capabilities, input.capabilities, input.addCapabilities, input.removeCapabilities);
  if (caps) patch.capabilities = caps;
  const tags = editList(task.tags, input.tags, input.addTags, input.removeTags);
  if (tags) patch.tags = tags;
  if (input.review !== undefined) patch.review = { ...(task.review ?? emptyReview()), required: input.review };
  if (input.runAfter !== undefined) Object.assign(patch, schedulePatch(task, input.runAfter, clock));
  return patch;
}

export function emptyReview(): Review {
  return { required: false, submittedBy: null, reviewer: null, verdict: null, feedback: null, score: null };
}

/** Replace, add and remove, in that order; null when nothing changes. */
function editList(current: string[], replace?: string[], add?: string[], remove?: string[]): string[] | null {
  if (replace === undefined && add === undefined && remove === undefined) return null;
  const base = replace ?? current;
  const next = [...new Set([...base, ...(add ?? [])])].filter((c) => !(remove ?? []).includes(c));
  return JSON.stringify(next) === JSON.stringify(current) ? null : next;
}
