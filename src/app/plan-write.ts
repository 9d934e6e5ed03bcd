import { analyzeComplexity } from '../core/breakdown/complexity.js';
import { pausePatch } from '../core/lifecycle.js';
import { flattenPlan } from '../core/plan/document.js';
import type { SettledNode } from '../core/plan/settle.js';
import type { PlanNode } from '../core/plan/types.js';
import { newTaskRecord } from '../core/task-records.js';
import type { Task } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import type { AppContext } from './context.js';
import type { TaskWriter } from './task-writer.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface PlanWriteOptions {
  queue?: string | undefined;
  tags?: readonly string[] | undefined;
  hold?: boolean | undefined;
  /** Recorded on each parent's `broken_down` event: where the plan came from. */
  source: string;
  planner: string | null;
}

/**
 * Writes a checked and settled plan inside the caller's transaction: every task first (a parent
 * before its subtasks, so each knows its parent's id), then the dependencies, which may point
 * forward in the plan; then one `created` event per task with its final dependencies, and a
 * `broken_down` event per parent. Returns the ids by ref.
 */
export async function writePlanTree(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  nodes: readonly PlanNode[],
  settled: ReadonlyMap<number, SettledNode>,
  options: PlanWriteOptions,
): Promise<Map<number, Task>> {
  const all = flattenPlan(nodes);
  const parentOf = new Map<number, PlanNode>();
  for (const n of all) for (const s of n.subtasks) parentOf.set(s.ref, n);
  const written = new Map<number, Task>();
  const now = tx.now;
  for (const n of all) {
    const state = settled.get(n.ref) as SettledNode;
    const parent = parentOf.get(n.ref);
    const record = newTaskRecord(
      {
        title: n.title,
        description: n.description ?? undefined,
        priority: state.priority,
        capabilities: n.capabilities,
        queue: options.queue,
        tags: options.tags ? [...options.tags] : undefined,
        parentId: parent ? (written.get(parent.ref) as Task).id : undefined,
        estimateMinutes: n.estimateMinutes ?? undefined,
      },
      {
        now,
        policy: ctx.policy,
        actor: ctx.actor,
        complexity: analyzeComplexity(n, ctx.policy.breakdown.mode).complexity,
        depsOpen: state.status === 'blocked',
      },
    );
    written.set(n.ref, await tx.insertTask({ ...record, ...statusFields(state.status, now) }));
  }
  for (const n of all) {
    const task = written.get(n.ref) as Task;
    const ids = [...n.dependsOn.map((ref) => (written.get(ref) as Task).id), ...n.dependsOnTasks];
    const children = n.subtasks.map((s) => (written.get(s.ref) as Task).id);
    if (ids.length + children.length > 0) await tx.addDependencies(task.id, [...ids, ...children]);
    const parent = parentOf.get(n.ref);
    await tx.appendEvent(
      writer.event(task.id, now, 'created', { status: [null, task.status] }, null, {
        title: task.title,
        priority: task.priority,
        dependsOn: ids,
        ...(parent && { parentId: (written.get(parent.ref) as Task).id }),
        plan: { ref: n.ref, source: options.source },
      }),
    );
    if (children.length > 0) {
      await tx.appendEvent(
        writer.event(task.id, now, 'broken_down', {}, null, {
          planner: options.planner ?? 'plan',
          source: 'plan',
          subtasks: children,
        }),
      );
    }
  }
  return options.hold ? holdOpenLeaves(tx, writer, all, written) : offerEachReady(tx, writer, all, written);
}

function statusFields(status: SettledNode['status'], now: number): Partial<Task> {
  if (status === 'completed') return { status, progress: 100, readyAt: null, completedAt: iso(now) };
  if (status === 'executing') return { status, readyAt: null, startedAt: iso(now) };
  return { status };
}

/** Held: every open leaf is paused, as `add --hold` does, so no worker takes it before a person releases it. */
async function holdOpenLeaves(tx: StoreTx, writer: TaskWriter, all: PlanNode[], written: Map<number, Task>) {
  for (const n of all) {
    const task = (await tx.getTask((written.get(n.ref) as Task).id)) as Task;
    if (n.subtasks.length > 0 || (task.status !== 'queued' && task.status !== 'blocked')) continue;
    written.set(n.ref, await writer.apply(tx, task, { type: 'paused', patch: pausePatch(task), data: { hold: true } }));
  }
  return written;
}

async function offerEachReady(tx: StoreTx, writer: TaskWriter, all: PlanNode[], written: Map<number, Task>) {
  for (const n of all) {
    const task = (await tx.getTask((written.get(n.ref) as Task).id)) as Task;
    written.set(n.ref, await writer.offerIfReady(tx, task));
  }
  return written;
}
