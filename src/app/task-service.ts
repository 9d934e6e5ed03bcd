import { dependencyGate } from '../core/conditions.js';
import { BatonError, invalid, taskNotFound } from '../core/errors.js';
import { assertNoCycle } from '../core/graph.js';
import {
  assertCan,
  can,
  cancelPatch,
  pausePatch,
  resumePatch,
  retryPatch,
  type TaskPatch,
  TRANSITIONS,
  toReady,
} from '../core/lifecycle.js';
import { LIMITS } from '../core/limits.js';
import { isTemplate } from '../core/recurrence.js';
import {
  cancelSchema,
  dependenciesSchema,
  listQuerySchema,
  parseWith,
  type TaskFilter,
  updateTaskSchema,
} from '../core/schemas.js';
import { searchWords } from '../core/search.js';
import { updatePatch } from '../core/task-records.js';
import type { Changes, Task } from '../core/types.js';
import { withEstimateMinutes } from '../core/values.js';
import type { StoreTx, TaskQuery } from '../store/store.js';
import type { DependencyInput, ListQuery, TaskDetail, TaskPage, UpdateTaskInput } from './baton.js';
import { type AppContext, changeTask, ruleTime, writeTasks } from './context.js';
import { assertNotTemplate, cancelScheduledOccurrence, reopenTemplatePatch, templateWaiting } from './recurrence-service.js';
import { requireResources } from './resource-service.js';
import { waitingOf } from './stuck.js';
import type { TaskWriter } from './task-writer.js';

/** The task use cases: read, edit, and the lifecycle moves a person makes (create is in task-create.ts). */

export async function getTask(ctx: AppContext, id: number): Promise<Task> {
  const task = await ctx.store.getTask(id);
  if (!task) throw taskNotFound(id);
  return task;
}

export async function showTask(ctx: AppContext, id: number): Promise<TaskDetail> {
  const task = await getTask(ctx, id);
  const history = await ctx.store.events({ taskId: id });
  const deps = await ctx.store.getTasks(task.dependsOn);
  // A parent depends on its subtasks; they are listed as such, not as what blocks it. Only work
  // that has not started can be blocked: a finished task is never shown as blocked.
  const unstarted = can(task, 'depend') && task.pausedFrom !== 'executing';
  const blockedBy = deps
    .filter((d) => unstarted && d.status !== 'completed' && d.parentId !== id)
    .map((d) => ({ id: d.id, title: d.title, status: d.status }));
  const subtasks = deps
    .filter((d) => d.parentId === id)
    .map((d) => ({ id: d.id, title: d.title, status: d.status, progress: d.progress, estimateMinutes: d.estimateMinutes }));
  const waiting = isTemplate(task)
    ? templateWaiting(task)
    : await waitingOf(ctx.store, () => ctx.presence.list(), task, blockedBy);
  const bids = await ctx.store.bidsOfTask(id);
  return { task, history, blockedBy, ...(subtasks.length > 0 && { subtasks }), waiting, ...(bids.length > 0 && { bids }) };
}

export async function listTasks(ctx: AppContext, raw: ListQuery = {}): Promise<TaskPage> {
  const query = parseWith(listQuerySchema, raw);
  const q = { ...taskQueryOf(query), ids: query.ids, parentIds: query.parentIds, ready: query.ready, sort: query.sort };
  const limit = query.limit ?? LIMITS.listLimit;
  // A listing in id order pages after the last id; any other order (claim order moves as it is
  // read) pages by position.
  const byPosition = (query.sort ?? (query.ready ? 'claim' : 'created')) !== 'created';
  const at = query.cursor !== undefined ? readCursor(query.cursor, byPosition) : { offset: query.offset ?? 0 };
  // One more than the page says whether another page follows.
  const [rows, total] = await Promise.all([ctx.store.listTasks({ ...q, ...at, limit: limit + 1 }), ctx.store.countTasks(q)]);
  const tasks = rows.slice(0, limit);
  const last = tasks.at(-1);
  let next: string | null = null;
  if (rows.length > limit && last) {
    // In id order, tasks created meanwhile are neither lost nor repeated.
    next = byPosition ? writeCursor({ offset: (at.offset ?? 0) + tasks.length }) : writeCursor({ afterId: last.id });
  }
  return { tasks, total, next };
}

/** The store query of a task filter (`core/schemas/steer.ts`). */
export function taskQueryOf(filter: TaskFilter): TaskQuery {
  return {
    status: filter.status,
    assignee: filter.worker,
    tag: filter.tag,
    parentId: filter.parentId,
    priority: filter.priority,
    capability: filter.capability,
    words: filter.q === undefined ? undefined : searchWords(filter.q),
    open: filter.open,
    hasSubtasks: filter.parents,
  };
}

type Cursor = { afterId: number; offset?: undefined } | { offset: number; afterId?: undefined };

function writeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function readCursor(text: string, byPosition: boolean): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  const v = value as Partial<Record<'afterId' | 'offset', unknown>> | null;
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!byPosition && whole(v?.afterId)) return { afterId: v?.afterId as number };
  if (byPosition && whole(v?.offset)) return { offset: v?.offset as number };
  throw invalid('cursor', 'is not a cursor of this listing: pass `next` of the previous page, with the same filters');
}

export async function updateTask(
  ctx: AppContext,
  id: number,
  raw: UpdateTaskInput,
  options: { ifVersion?: number } = {},
): Promise<Task> {
  const input = withEstimateMinutes(parseWith(updateTaskSchema, raw));
  return writeTasks(ctx, (tx, writer) => updateIn(ctx, tx, writer, id, input, options));
}

/** `updateTask` inside a transaction (its input parsed). */
export async function updateIn(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  id: number,
  input: ReturnType<typeof withEstimateMinutes<UpdateTaskInput>>,
  options: { ifVersion?: number } = {},
): Promise<Task> {
  const task = await writer.requireTask(tx, id);
  if (input.resources) await requireResources(tx, input.resources);
  assertVersion(task, options.ifVersion);
  return writer.apply(tx, task, { type: 'updated', patch: updatePatch(task, input, ruleTime(ctx, tx)) });
}

/** `ifVersion`: the version the caller read; a task changed since then is refused, unchanged. */
function assertVersion(task: Task, ifVersion: number | undefined): void {
  if (ifVersion === undefined || ifVersion === task.version) return;
  throw new BatonError('version_mismatch', `task ${task.id} is at version ${task.version}, not ${ifVersion}`, {
    id: task.id,
    version: task.version,
    expected: ifVersion,
  });
}

export async function cancelTask(ctx: AppContext, id: number, raw: { reason?: string } = {}): Promise<Task> {
  const options = parseWith(cancelSchema, raw);
  return writeTasks(ctx, (tx, writer) => cancelIn(tx, writer, id, options.reason));
}

/** `cancelTask` inside a transaction. */
export async function cancelIn(tx: StoreTx, writer: TaskWriter, id: number, reason: string | undefined): Promise<Task> {
  const task = await writer.requireTask(tx, id);
  assertCan(task, 'cancel');
  const data = reason ? { reason } : null;
  const cancelled = await writer.apply(tx, task, { type: 'cancelled', patch: cancelPatch(), data });
  await cancelScheduledOccurrence(tx, writer, task);
  // The parent first, so that its subtasks' cancellations do not roll up into it.
  await writer.cancelSubtasks(tx, cancelled);
  return cancelled;
}

export async function retryTask(ctx: AppContext, id: number): Promise<Task> {
  return writeTasks(ctx, (tx, writer) => retryIn(ctx, tx, writer, id));
}

/** `retryTask` inside a transaction. */
export async function retryIn(ctx: AppContext, tx: StoreTx, writer: TaskWriter, id: number): Promise<Task> {
  const task = await writer.requireTask(tx, id);
  assertCan(task, 'retry');
  if (isTemplate(task)) return writer.apply(tx, task, { type: 'retried', patch: reopenTemplatePatch(task, tx.now) });
  const subtasks = await writer.subtasksOf(tx, task);
  if (subtasks.length > 0) return writer.retryParent(tx, task, subtasks);
  const patch = retryPatch(task, await writer.depsOpen(tx, task), ruleTime(ctx, tx));
  return writer.apply(tx, task, { type: 'retried', patch });
}

export async function pauseTask(ctx: AppContext, id: number): Promise<Task> {
  return writeTasks(ctx, (tx, writer) => pauseIn(tx, writer, id));
}

/** `pauseTask` inside a transaction. */
export async function pauseIn(tx: StoreTx, writer: TaskWriter, id: number): Promise<Task> {
  const task = await writer.requireTask(tx, id);
  assertCan(task, 'pause');
  const patch = pausePatch(task);
  // The attempt it ends, in the history: whose it was and under which token.
  const lease = patch.lease === null && task.lease ? task.lease : null;
  const data = lease && { worker: lease.owner, token: lease.token, attempt: task.attempts };
  return writer.apply(tx, task, { type: 'paused', patch, ...(data && { data, workerId: lease?.owner }) });
}

export async function resumeTask(ctx: AppContext, id: number): Promise<Task> {
  return writeTasks(ctx, (tx, writer) => resumeIn(ctx, tx, writer, id));
}

/** `resumeTask` inside a transaction. */
export async function resumeIn(ctx: AppContext, tx: StoreTx, writer: TaskWriter, id: number): Promise<Task> {
  const task = await writer.requireTask(tx, id);
  assertCan(task, 'resume');
  if (isTemplate(task)) {
    const fireAt = Math.min(tx.now, Date.parse(task.recurrence?.fireAt ?? ''));
    return writer.apply(tx, task, { type: 'resumed', patch: reopenTemplatePatch(task, fireAt) });
  }
  const patch = resumePatch(task, await writer.depsOpen(tx, task), ruleTime(ctx, tx));
  return writer.apply(tx, task, { type: 'resumed', patch });
}

/**
 * Adds dependencies, each a task id or `{ id, if }` for a conditional one; a condition given for a
 * dependency already there replaces its condition. A task whose dependencies already say it will
 * never run (a condition false, a dependency skipped) is skipped at once.
 */
export async function addDependencies(
  ctx: AppContext,
  id: number,
  raw: DependencyInput[],
  options: { ifVersion?: number } = {},
): Promise<Task> {
  const { dependsOn } = parseWith(dependenciesSchema, { dependsOn: raw });
  const wanted = new Map<number, string | undefined>();
  for (const d of dependsOn) wanted.set(typeof d === 'number' ? d : d.id, typeof d === 'number' ? undefined : d.if);
  return writeTasks(ctx, async (tx, writer) => {
    const task = await writer.requireTask(tx, id);
    assertVersion(task, options.ifVersion);
    assertNotTemplate(task, 'depend on other tasks');
    assertCanDepend(task);
    const added = [...wanted.keys()].filter((d) => !task.dependsOn.includes(d));
    if (added.includes(id)) throw invalid('dependsOn', `task ${id} cannot depend on itself`);
    await writer.requireTasks(tx, added, 'dependsOn');
    assertNoCycle(
      await tx.dependencyClosure(added),
      added.map((d) => [id, d] as const),
    );
    const conditions = [...wanted]
      .filter((e): e is [number, string] => e[1] !== undefined)
      .map(([on, text]) => ({ on, if: text }))
      .filter((c) => task.conditions.find((k) => k.on === c.on)?.if !== c.if);
    await tx.addDependencies(id, added, conditions);
    const after = [...task.dependsOn, ...added].sort((a, b) => a - b);
    const conditionsAfter = [...task.conditions.filter((k) => !conditions.some((c) => c.on === k.on)), ...conditions].sort(
      (a, b) => a.on - b.on,
    );
    const gate = dependencyGate({ conditions: conditionsAfter }, await tx.getTasks(after));
    const patch: TaskPatch = {};
    if ((task.status === 'queued' || task.status === 'assigned') && gate.verdict === 'wait') {
      Object.assign(patch, { status: 'blocked', readyAt: null });
    }
    const extraChanges: Changes = { dependsOn: [task.dependsOn, after] };
    if (conditions.length > 0) extraChanges.conditions = [task.conditions, conditionsAfter];
    const written = await writer.apply(tx, task, { type: 'dependency_added', patch, extraChanges });
    return gate.verdict === 'skip' ? writer.skip(tx, written, gate.reason) : written;
  });
}

/** A dependency says what must finish before work starts: work started (or done) cannot wait any more. */
function assertCanDepend(task: Task): void {
  const started = task.status === 'paused' && task.pausedFrom === 'executing' ? 'executing (paused)' : null;
  if (!started && can(task, 'depend')) return;
  const state = started ?? task.status;
  throw new BatonError(
    'illegal_transition',
    `cannot add a dependency to task ${task.id}: it is ${state}, and a dependency must be added before work starts (while it is ${TRANSITIONS.depend.join(', ')}); cancel or release it first`,
    { id: task.id, status: task.status, action: 'depend', allowed: [...TRANSITIONS.depend] },
  );
}

export async function removeDependency(
  ctx: AppContext,
  id: number,
  dependsOn: number,
  options: { ifVersion?: number } = {},
): Promise<Task> {
  return changeTask(ctx, id, async (task, tx, time) => {
    assertVersion(task, options.ifVersion);
    if (!task.dependsOn.includes(dependsOn)) {
      throw invalid('dependsOn', `task ${id} does not depend on task ${dependsOn}`);
    }
    if ((await tx.getTask(dependsOn))?.parentId === id) {
      throw invalid('dependsOn', `task ${dependsOn} is a subtask of task ${id}; cancel it instead`);
    }
    await tx.removeDependency(id, dependsOn);
    const remaining = task.dependsOn.filter((d) => d !== dependsOn);
    let patch: TaskPatch = {};
    if (task.status === 'blocked') {
      const open = (await tx.getTasks(remaining)).some((d) => d.status !== 'completed');
      if (!open) patch = toReady(task, time);
    }
    return { type: 'dependency_removed', patch, extraChanges: { dependsOn: [task.dependsOn, remaining] } };
  });
}
