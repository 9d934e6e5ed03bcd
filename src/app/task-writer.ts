import { offerFor } from '../core/assignment.js';
import { rollup } from '../core/breakdown/rollup.js';
import { dependencyGate, type SkipReason } from '../core/conditions.js';
import { BatonError, taskNotFound } from '../core/errors.js';
import {
  can,
  cancelPatch,
  diff,
  isFinal,
  parentPatch,
  type RuleTime,
  retryPatch,
  rollupPatch,
  skipPatch,
  type TaskPatch,
  toOpen,
} from '../core/lifecycle.js';
import type { Policy } from '../core/policy.js';
import type { Changes, DependencyCondition, Task, TaskEvent } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import { offerReady } from './offer-writer.js';
import { mergeSwarm } from './swarm-service.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The actor of changes Baton makes by itself, such as a parent following its subtasks. */
export const SYSTEM_ACTOR = 'system';

/** A change to one task: the patch a core rule produced, and what its event records. */
export interface Change {
  type: string;
  patch: TaskPatch;
  workerId?: string | null;
  /** Who the event credits when not the worker or the caller: whoever caused a follow-on change. */
  actor?: string;
  extraChanges?: Changes;
  data?: Record<string, unknown> | null;
}

/** What a use case must do after its transaction commits, noted by the writes inside it. */
export interface WriteEffects {
  /** A task to push (critical under hybrid; any under push) became ready: it is pushed after the commit. */
  criticalReady: boolean;
  /** Runs whose tasks changed state: each advances after the commit (`run-advance.ts`). */
  runs?: Set<number>;
}

/**
 * Writes inside a store transaction: a task's change and its event, and what follows from it in
 * the same transaction — dependents unblocked, a parent rolled up, subtasks cancelled or retried.
 */
export class TaskWriter {
  constructor(
    private readonly policy: Policy,
    private readonly actor: string | null,
    private readonly effects: WriteEffects,
  ) {}

  clock(tx: StoreTx): RuleTime {
    return { now: tx.now, policy: this.policy };
  }

  async apply(tx: StoreTx, task: Task, change: Change): Promise<Task> {
    const updated = await tx.updateTask(task, change.patch);
    if (!updated) {
      throw new BatonError('version_mismatch', `task ${task.id} changed while it was being written; try again`);
    }
    // Dependency edges are written beside the row: the task returned must show them as they now are.
    const edges = change.extraChanges?.dependsOn;
    if (edges) updated.dependsOn = edges[1] as number[];
    const conditions = change.extraChanges?.conditions;
    if (conditions) updated.conditions = conditions[1] as DependencyCondition[];
    const changes = { ...diff(task, change.patch), ...change.extraChanges };
    const workerId = change.workerId ?? null;
    // Follow-on changes are credited to whoever caused this one (a worker's `done` unblocks).
    const by = change.actor ?? workerId ?? this.actor;
    await tx.appendEvent({ ...this.event(task.id, tx.now, change.type, changes, workerId, change.data ?? null), actor: by });
    if ('status' in changes) this.noteRun(updated);
    if (isFinal(updated.status) && !isFinal(task.status)) await this.settleDependents(tx, updated, by);
    if (updated.parentId !== null && ('status' in changes || 'progress' in changes)) await this.rollUp(tx, updated);
    return this.offerIfReady(tx, updated);
  }

  /** A task of a workflow run (tagged `run:N`) changed state: its run advances after the commit. */
  noteRun(task: Task): void {
    for (const tag of task.tags) {
      const m = /^run:(\d+)$/.exec(tag);
      if (m) this.effects.runs?.add(Number(m[1]));
    }
  }

  /** A task written ready that wants a push found nobody free: the push is tried again after the commit. */
  noteReady(task: Task): void {
    if (task.status === 'queued' && offerFor(task, this.policy) === 'push') this.effects.criticalReady = true;
  }

  /** A task written ready is offered in the same transaction, by its assignment mode (`offer-writer.ts`). */
  offerIfReady(tx: StoreTx, task: Task): Promise<Task> {
    return offerReady(tx, this, task, this.policy);
  }

  event(
    taskId: number,
    now: number,
    type: string,
    changes: Changes,
    workerId: string | null,
    data: Record<string, unknown> | null,
  ): Omit<TaskEvent, 'id'> {
    return { taskId, workerId, actor: workerId ?? this.actor, type, at: iso(now), changes, data };
  }

  /**
   * A dependency finished (completed, failed, cancelled or skipped): in the same transaction, each
   * dependent waiting for it becomes ready when its last dependency completed and its conditions
   * hold, or is skipped when they say it will never run (`core/conditions.ts`) — and the tasks
   * waiting for it in turn, by the same rule.
   */
  async settleDependents(tx: StoreTx, done: Task, by: string | null): Promise<void> {
    for (const dependent of await tx.dependents(done.id)) {
      const waiting = dependent.status === 'blocked' || (dependent.status === 'paused' && dependent.pausedFrom === 'blocked');
      if (!waiting) continue;
      const gate = dependencyGate(dependent, await tx.getTasks(dependent.dependsOn), done.id);
      if (gate.verdict === 'wait') continue;
      if (gate.verdict === 'skip') {
        await this.skip(tx, dependent, gate.reason, by);
        continue;
      }
      const clock = this.clock(tx);
      const patch: TaskPatch = {
        ...(dependent.status === 'blocked'
          ? toOpen(dependent, false, clock)
          : { pausedFrom: dependent.reservedFor ? 'assigned' : 'queued' }),
        ...(await pipedInput(tx, dependent)),
      };
      const actor = by ?? undefined;
      await this.apply(tx, dependent, { type: 'unblocked', patch, ...(actor && { actor }), data: { by: done.id } });
    }
  }

  /** A waiting task will never run: `skipped`, with an event naming the dependency and what it saw. */
  async skip(tx: StoreTx, task: Task, reason: SkipReason, by: string | null = null): Promise<Task> {
    const actor = by ?? undefined;
    return this.apply(tx, task, { type: 'skipped', patch: skipPatch(), ...(actor && { actor }), data: { ...reason } });
  }

  /** Subtasks made by breakdown: a parent depends on each of them. */
  async subtasksOf(tx: StoreTx, task: Task): Promise<Task[]> {
    if (task.dependsOn.length === 0) return [];
    return (await tx.getTasks(task.dependsOn)).filter((d) => d.parentId === task.id);
  }

  /** A subtask changed: its parent follows (SPEC §3), and completing it unblocks its own dependents. */
  async rollUp(tx: StoreTx, child: Task): Promise<void> {
    const parent = await tx.getTask(child.parentId as number);
    if (parent?.swarm?.role === 'parent') return mergeSwarm(tx, this, parent);
    if (!parent || !can(parent, 'rollup') || parent.lease) return;
    const subtasks = await this.subtasksOf(tx, parent);
    if (!subtasks.some((s) => s.id === child.id)) return;
    const summary = rollup(subtasks);
    const patch = rollupPatch(parent, summary, this.clock(tx));
    if (Object.keys(patch).length === 0) return;
    const type = summary.outcome === 'completed' ? 'completed' : summary.outcome === 'cancelled' ? 'cancelled' : 'progress';
    // Baton moves the parent itself: whoever changed the subtask did not touch the parent.
    await this.apply(tx, parent, {
      type,
      patch,
      actor: SYSTEM_ACTOR,
      data: { by: child.id, rollup: true, openSubtasks: summary.open },
    });
  }

  /** Cancelling a parent cancels its open subtasks, and theirs. */
  async cancelSubtasks(tx: StoreTx, parent: Task): Promise<void> {
    for (const sub of await this.subtasksOf(tx, parent)) {
      if (!can(sub, 'cancel')) continue;
      const cancelled = await this.apply(tx, sub, {
        type: 'cancelled',
        patch: cancelPatch(),
        data: { reason: `parent #${parent.id} cancelled` },
      });
      await this.cancelSubtasks(tx, cancelled);
    }
  }

  /** Retrying a parent reopens its failed and cancelled subtasks; it follows them again. */
  async retryParent(tx: StoreTx, parent: Task, subtasks: Task[]): Promise<Task> {
    const clock = this.clock(tx);
    await this.apply(tx, parent, { type: 'retried', patch: { ...parentPatch(parent, clock), retries: 0, progress: 0 } });
    for (const sub of subtasks) {
      const current = (await tx.getTask(sub.id)) as Task;
      if (!can(current, 'retry')) continue;
      const inner = await this.subtasksOf(tx, current);
      if (inner.length > 0) {
        await this.retryParent(tx, current, inner);
        continue;
      }
      const patch = retryPatch(current, await this.depsOpen(tx, current), clock);
      await this.apply(tx, current, { type: 'retried', patch });
    }
    return (await tx.getTask(parent.id)) as Task;
  }

  async depsOpen(tx: StoreTx, task: Task): Promise<boolean> {
    if (task.dependsOn.length === 0) return false;
    return (await tx.getTasks(task.dependsOn)).some((d) => d.status !== 'completed');
  }

  async requireTask(tx: StoreTx, id: number): Promise<Task> {
    const task = await tx.getTask(id);
    if (!task) throw taskNotFound(id);
    return task;
  }

  async requireTasks(tx: StoreTx, ids: readonly number[], field: string): Promise<Task[]> {
    const found = await tx.getTasks(ids);
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((t) => t.id === id));
      throw new BatonError('task_not_found', `${field}: task ${missing.join(', ')} not found`, { field, missing });
    }
    return found;
  }
}

/**
 * Pipeline: a task that takes its input from a dependency gets that dependency's result as its
 * input when it becomes ready, in the transaction that makes it so — a worker never sees it without.
 */
export async function pipedInput(tx: StoreTx, task: Task): Promise<TaskPatch> {
  if (task.inputFrom === null) return {};
  const source = await tx.getTask(task.inputFrom);
  return source?.status === 'completed' ? { input: source.result } : {};
}
