import { BatonError, invalid } from '../core/errors.js';
import { can, cancelPatch, type TaskPatch } from '../core/lifecycle.js';
import { isTemplate, nextFireAfter } from '../core/recurrence.js';
import type { createTaskSchema } from '../core/schemas.js';
import { newTaskRecord, startTime } from '../core/task-records.js';
import type { Recurrence, Task } from '../core/types.js';
import type { Waiting } from '../core/waiting.js';
import type { StoreTx } from '../store/store.js';
import { type AppContext, writeTasks } from './context.js';
import { SYSTEM_ACTOR, type TaskWriter } from './task-writer.js';

/**
 * Recurring tasks (the model is in `core/recurrence.ts`): the template is written blocked with
 * its first occurrence beside it; the sweep (claims, local reads, a server's loop) creates each
 * next occurrence once the newest one's fire time has passed.
 */

type CreateInput = import('zod').output<typeof createTaskSchema>;
const iso = (ms: number) => new Date(ms).toISOString();

/** Refuses what a template cannot carry: it is never claimed, so it cannot wait, nest or be reserved. */
export function assertRecurringInput(input: CreateInput): void {
  if (input.timezone !== undefined && input.every === undefined) throw invalid('timezone', 'applies only with every');
  if (input.every === undefined) return;
  if (input.dependsOn?.length) throw invalid('dependsOn', 'a recurring task cannot depend on other tasks');
  if (input.parentId !== undefined) throw invalid('parentId', 'a recurring task cannot be a subtask');
  if (input.assignee !== undefined) throw invalid('assignee', 'a recurring task cannot be reserved for a worker');
}

/**
 * Writes the template of `input` (which has `every`) and its first occurrence, for the first fire
 * time after now (or after `runAfter`, when given: the schedule starts then). Returns the template.
 */
export async function insertTemplate(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  input: CreateInput & { every: string },
  complexity: Task['complexity'],
): Promise<Task> {
  const timezone = input.timezone ?? null;
  const from = Math.max(tx.now, input.runAfter ? startTime(input.runAfter, tx.now) - 1 : tx.now);
  const first = nextFireAfter(input.every, timezone, from);
  if (first === null) throw invalid('every', `"${input.every}" never fires after ${iso(from)}`);
  const recurrence: Recurrence = { every: input.every, timezone, fireAt: iso(first), templateId: null, occurrenceId: null };
  const { runAfter: _start, ...rest } = input;
  const template = await tx.insertTask(
    newTaskRecord(rest, { now: tx.now, policy: ctx.policy, actor: ctx.actor, complexity, depsOpen: false, recurrence }),
  );
  await tx.appendEvent(
    writer.event(template.id, tx.now, 'created', { status: [null, template.status] }, null, {
      title: template.title,
      priority: template.priority,
      dependsOn: [],
      every: recurrence.every,
      timezone,
    }),
  );
  const occurrence = await insertOccurrence(ctx, tx, writer, template, first);
  return writer.apply(tx, template, {
    type: 'occurrence_created',
    patch: { recurrence: { ...recurrence, occurrenceId: occurrence.id } },
    data: { occurrence: occurrence.id, fireAt: iso(first) },
  });
}

/** One occurrence of `template`, scheduled for `fireAt`: a copy of its work, linked to it. */
async function insertOccurrence(ctx: AppContext, tx: StoreTx, writer: TaskWriter, template: Task, fireAt: number): Promise<Task> {
  const rec = template.recurrence as Recurrence;
  const recurrence: Recurrence = {
    every: rec.every,
    timezone: rec.timezone,
    fireAt: iso(fireAt),
    templateId: template.id,
    occurrenceId: null,
  };
  const copy: CreateInput = {
    title: template.title,
    ...(template.description !== null && { description: template.description }),
    type: template.type,
    priority: template.priority,
    capabilities: template.capabilities,
    queue: template.queue,
    tags: template.tags,
    ...(template.estimateMinutes !== null && { estimateMinutes: template.estimateMinutes }),
    ...(template.command !== null && { command: template.command }),
    ...(template.input !== null && { input: template.input }),
    maxRetries: template.maxRetries,
    ...(template.retryPolicy !== null && { retryPolicy: template.retryPolicy }),
    ...(template.timeoutSeconds !== null && { timeoutSeconds: template.timeoutSeconds }),
    review: template.review?.required ?? false,
    runAfter: iso(fireAt),
  };
  const record = newTaskRecord(copy, {
    now: tx.now,
    policy: ctx.policy,
    actor: ctx.actor,
    complexity: template.complexity,
    depsOpen: false,
    recurrence,
  });
  const task = await tx.insertTask(record);
  await tx.appendEvent(
    writer.event(task.id, tx.now, 'created', { status: [null, task.status] }, null, {
      title: task.title,
      priority: task.priority,
      dependsOn: [],
      template: template.id,
      fireAt: recurrence.fireAt,
    }),
  );
  return writer.offerIfReady(tx, task);
}

/**
 * Creates the next occurrence of every template whose newest occurrence's fire time has passed:
 * for the first fire time after now, so fire times missed while nothing ran are skipped. The
 * template moves on under its version in the same transaction, so of several processes doing this
 * at once exactly one creates it. Returns the occurrences created.
 */
export async function createDueOccurrences(ctx: AppContext): Promise<Task[]> {
  const ids = await ctx.store.dueRecurrences(await ctx.store.now(), 100);
  const created: Task[] = [];
  for (const id of ids) {
    try {
      const task = await writeTasks(ctx, (tx, writer) => nextOccurrence(ctx, tx, writer, id));
      if (task) created.push(task);
    } catch (err) {
      // Another process moved the template on first: its occurrence is the one.
      if (!(err instanceof BatonError && err.code === 'version_mismatch')) throw err;
    }
  }
  return created;
}

async function nextOccurrence(ctx: AppContext, tx: StoreTx, writer: TaskWriter, id: number): Promise<Task | null> {
  const template = await tx.getTask(id);
  if (!template || !isTemplate(template) || template.status !== 'blocked') return null;
  const rec = template.recurrence as Recurrence;
  if (Date.parse(rec.fireAt) > tx.now) return null;
  // A schedule this Baton cannot read (an imported store's) ends like one that fires no more.
  let next: number | null;
  try {
    next = nextFireAfter(rec.every, rec.timezone, tx.now);
  } catch {
    next = null;
  }
  if (next === null) {
    await writer.apply(tx, template, {
      type: 'cancelled',
      patch: { status: 'cancelled', completedAt: iso(tx.now) },
      actor: SYSTEM_ACTOR,
      data: { reason: `"${rec.every}" fires no more (time zone ${rec.timezone ?? 'UTC'})` },
    });
    return null;
  }
  // The occurrence first, then the template under the version read: if another process moved the
  // template meanwhile, that write is refused and this whole transaction, occurrence included, undone.
  const occurrence = await insertOccurrence(ctx, tx, writer, template, next);
  await writer.apply(tx, template, {
    type: 'occurrence_created',
    patch: { recurrence: { ...rec, fireAt: iso(next), occurrenceId: occurrence.id } },
    actor: SYSTEM_ACTOR,
    data: { occurrence: occurrence.id, fireAt: iso(next) },
  });
  return occurrence;
}

/**
 * A template cancelled stops its recurrence, and the occurrence it scheduled that is not due yet
 * (its fire time still ahead, nobody working on it) is cancelled with it; occurrences already
 * due are left as they are.
 */
export async function cancelScheduledOccurrence(tx: StoreTx, writer: TaskWriter, template: Task): Promise<void> {
  const id = isTemplate(template) ? template.recurrence?.occurrenceId : null;
  if (!id) return;
  const occurrence = await tx.getTask(id);
  if (!occurrence || !can(occurrence, 'cancel') || occurrence.status === 'executing') return;
  if (occurrence.runAfter === null || Date.parse(occurrence.runAfter) <= tx.now) return;
  await writer.apply(tx, occurrence, {
    type: 'cancelled',
    patch: cancelPatch(),
    data: { reason: `its recurring task ${template.id} was cancelled` },
  });
}

/** How a template leaves `paused`, `cancelled` or `failed`: blocked again, its next occurrence created by the sweep. */
export function reopenTemplatePatch(template: Task, fireAtMs: number): TaskPatch {
  const recurrence = { ...(template.recurrence as Recurrence), fireAt: iso(fireAtMs) };
  return { status: 'blocked', pausedFrom: null, completedAt: null, readyAt: null, recurrence };
}

/** What a template waits for, as `show` tells it: it is never claimed; its occurrences are. */
export function templateWaiting(task: Task): Waiting | null {
  const rec = task.recurrence;
  if (!rec || task.status !== 'blocked') return null;
  const zone = rec.timezone ? ` (${rec.timezone})` : ' (UTC)';
  const message = `recurring every "${rec.every}"${zone}: it is never claimed itself; occurrence ${rec.occurrenceId ?? '?'} is scheduled for ${rec.fireAt}`;
  return { reason: 'scheduled', message, until: rec.fireAt };
}

/** Refuses an action that has no meaning for a template (it is never claimed). */
export function assertNotTemplate(task: Task, action: string): void {
  if (isTemplate(task)) {
    throw invalid('id', `task ${task.id} is a recurring template and cannot ${action}; its occurrences can`);
  }
}
