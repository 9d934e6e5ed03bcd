import { BatonError, incapableWorker, workerNotFound } from '../core/errors.js';
import { assertCan, assignPatch, unassignPatch } from '../core/lifecycle.js';
import { assignSchema, parseWith, unassignSchema } from '../core/schemas.js';
import { assertTeamMember } from '../core/teams.js';
import type { Task, Worker } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import type { AssignInput, UnassignInput } from './baton.js';
import { type AppContext, changeTask, writeTasks } from './context.js';
import { assertNotTemplate } from './recurrence-service.js';
import type { TaskWriter } from './task-writer.js';
import { workerViews } from './workers.js';

/**
 * Reservations (`assign`, `add --assign`, hybrid push) and what ends them: a person's `unassign`,
 * the worker saying goodbye (`worker_stopped`), or the worker falling silent past the heartbeat
 * timeout (`worker_offline`). A task whose reservation ends goes back to the shared queue (a
 * critical one is pushed again, to an online worker), with an `unassigned` event saying why.
 */

export async function assignTask(
  ctx: AppContext,
  id: number,
  workerId: string,
  options: Pick<AssignInput, 'force'> = {},
): Promise<Task> {
  const { workerId: worker, force } = parseWith(assignSchema, { ...options, workerId });
  const registered = await requireCapable(ctx, worker, null, force);
  return changeTask(ctx, id, async (task, _tx, time) => {
    assertCan(task, 'assign');
    assertNotTemplate(task, 'be reserved for a worker');
    if (!force) assertCapable(registered, task.capabilities);
    if (task.team !== null) assertTeamMember(task, worker, await ctx.store.listTeams());
    return { type: 'assigned', patch: assignPatch(task, worker, time), data: { worker } };
  });
}

/**
 * A reservation names a registered worker (pushing work to one that never registered is almost
 * always a typo) able to do the task, unless `force`; `capabilities` null checks registration only.
 */
export async function requireCapable(
  ctx: AppContext,
  workerId: string,
  capabilities: readonly string[] | null,
  force: boolean | undefined,
): Promise<Worker> {
  const worker = await ctx.store.getWorker(workerId);
  if (!worker) throw workerNotFound(workerId);
  if (capabilities !== null && !force) assertCapable(worker, capabilities);
  return worker;
}

function assertCapable(worker: Worker, capabilities: readonly string[]): void {
  const missing = capabilities.filter((c) => !worker.capabilities.includes(c));
  if (missing.length > 0) throw incapableWorker(worker.id, missing);
}

/** Why a reservation ended, as the `unassigned` event's `reason` says. */
/**
 * `not_accepted`: a pushed task its worker did not claim within `push.acceptWithin`; `no_bids`: an
 * auction closed without a bid it could award.
 */
export type UnassignReason = 'requested' | 'worker_offline' | 'worker_stopped' | 'not_accepted' | 'no_bids';

/** Statuses in which a task may hold a reservation that keeps it from the shared queue. */
const RESERVABLE = ['blocked', 'assigned', 'paused'] as const;

export async function unassignTask(ctx: AppContext, id: number, raw: UnassignInput = {}): Promise<Task> {
  const { reason } = parseWith(unassignSchema, raw);
  return writeTasks(ctx, async (tx, writer) => {
    const task = await writer.requireTask(tx, id);
    assertCan(task, 'unassign');
    if (task.reservedFor === null) {
      throw new BatonError('illegal_transition', `cannot unassign task ${id}: it is not reserved for a worker`, {
        id,
        status: task.status,
        action: 'unassign',
      });
    }
    return unassign(tx, writer, task, { reason: 'requested', ...(reason !== undefined && { note: reason }) });
  });
}

/** The worker said goodbye: its reserved tasks go back to the queue. Returns their ids. */
export async function releaseReservationsOf(ctx: AppContext, workerId: string): Promise<number[]> {
  const open = await ctx.store.listTasks({ status: [...RESERVABLE], assignee: workerId, limit: 1000 });
  const ids = open.filter((t) => t.reservedFor === workerId).map((t) => t.id);
  return releaseEach(ctx, ids, (worker) => (worker === workerId ? 'worker_stopped' : null));
}

/**
 * Reservations of workers that are offline now (stopped, or silent past the heartbeat timeout) go
 * back to the queue. Returns the ids of the tasks released.
 */
export async function releaseOfflineReservations(ctx: AppContext): Promise<number[]> {
  // Every sweep (each 100 ms) asks; reserved tasks are few or none, while a fleet registers
  // thousands of workers, so the workers are read only when some task is reserved.
  const reserved = (await ctx.store.listTasks({ status: ['assigned'], limit: 500 })).filter((t) => t.reservedFor !== null);
  if (reserved.length === 0) return [];
  const offline = await offlineWorkers(ctx);
  const ids = reserved.filter((t) => t.reservedFor !== null && offline.has(t.reservedFor)).map((t) => t.id);
  return releaseEach(ctx, ids, (worker) => (offline.has(worker) ? reasonFor(offline.get(worker)) : null));
}

/** Registered workers that are offline now, by id. */
export async function offlineWorkers(ctx: AppContext): Promise<Map<string, Worker>> {
  const workers = await ctx.store.listWorkers();
  const views = workerViews(workers, new Map(), await ctx.store.now(), ctx.policy);
  return new Map(views.filter((w) => !w.online).map((w) => [w.id, w]));
}

export function reasonFor(worker: Worker | undefined): UnassignReason {
  return worker?.state === 'stopped' ? 'worker_stopped' : 'worker_offline';
}

/** Drops a task's reservation in the caller's transaction, with its `unassigned` event. */
export function unassign(
  tx: StoreTx,
  writer: TaskWriter,
  task: Task,
  why: { reason: UnassignReason; note?: string },
): Promise<Task> {
  const data = { worker: task.reservedFor, reason: why.reason, ...(why.note !== undefined && { note: why.note }) };
  return writer.apply(tx, task, { type: 'unassigned', patch: unassignPatch(task), data });
}

/** Releases each task whose reservation `reason` still gives a reason for (null: leave it). */
async function releaseEach(ctx: AppContext, ids: number[], reason: (worker: string) => UnassignReason | null): Promise<number[]> {
  const released: number[] = [];
  for (const id of ids) {
    const done = await writeTasks(ctx, async (tx, writer) => {
      const task = await tx.getTask(id);
      // Changed meanwhile (claimed, reserved for another worker, finished): nothing to release.
      if (!task?.reservedFor || !RESERVABLE.includes(task.status as (typeof RESERVABLE)[number])) return null;
      const why = reason(task.reservedFor);
      return why === null ? null : unassign(tx, writer, task, { reason: why });
    });
    if (done) released.push(id);
  }
  return released;
}
