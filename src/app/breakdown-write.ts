import type { PlannedSubtask } from '../core/breakdown/types.js';
import { findAnyCycle } from '../core/graph.js';
import { assertCanBreakdown, diff, parentPatch, type RuleTime } from '../core/lifecycle.js';
import { taskClaimOrder } from '../core/ordering.js';
import type { Changes, Task, TaskEvent } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import type { PreparedPlan } from './breakdown.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface WriteContext {
  clock: RuleTime;
  actor: string | null;
}

/**
 * Writes a plan inside the caller's transaction: the subtasks (with `parentId`, their
 * dependencies mapped from plan indexes to ids, one `created` event each), and the parent turned
 * into a parent — executing without a lease and depending on its subtasks, so it finishes when
 * they do and what waits for it waits for them. Subtasks that start a branch of the plan inherit
 * the parent's own dependencies. Nested plans are written the same way below their subtask.
 */
export async function writePlan(
  tx: StoreTx,
  parent: Task,
  prepared: PreparedPlan,
  context: WriteContext,
): Promise<{ parent: Task; created: Task[] }> {
  const created: Task[] = [];
  const updated = await writeLevel(tx, parent, prepared.plan.subtasks, context, created, {
    type: 'broken_down',
    data: {
      planner: prepared.plan.planner,
      requestedPlanner: prepared.requestedPlanner,
      source: prepared.plan.source,
      pattern: prepared.plan.pattern,
      ...(prepared.fallbackReason !== null && { fallbackReason: prepared.fallbackReason }),
      ...(prepared.warnings.length > 0 && { warnings: prepared.warnings }),
    },
    note: prepared.fallbackReason !== null ? `breakdown: ${prepared.fallbackReason}; used the rule planner instead` : null,
  });
  return { parent: updated, created };
}

interface LevelEvent {
  type: string;
  data: Record<string, unknown>;
  note: string | null;
}

async function writeLevel(
  tx: StoreTx,
  parent: Task,
  subtasks: readonly PlannedSubtask[],
  context: WriteContext,
  created: Task[],
  event: LevelEvent,
): Promise<Task> {
  assertCanBreakdown(parent);
  const ids = new Array<number>(subtasks.length);
  const inherited = await openDependencies(tx, parent);
  for (const i of topologicalOrder(subtasks)) {
    const s = subtasks[i] as PlannedSubtask;
    const siblings = s.dependsOn.map((d) => ids[d] as number);
    const dependsOn = [...new Set(s.dependsOn.length === 0 ? parent.dependsOn : siblings)];
    const blocked = siblings.length > 0 || (s.dependsOn.length === 0 && inherited);
    const task = await tx.insertTask(newSubtask(parent, s, dependsOn, blocked, context));
    await tx.appendEvent(
      taskEvent(
        task.id,
        context,
        'created',
        { status: [null, task.status] },
        {
          title: task.title,
          priority: task.priority,
          dependsOn: task.dependsOn,
          parentId: parent.id,
          ...(s.step !== null && { step: s.step }),
        },
      ),
    );
    ids[i] = task.id;
    created.push(task);
    if (s.subtasks.length > 0) {
      await writeLevel(tx, task, s.subtasks, context, created, {
        type: 'broken_down',
        data: { planner: 'rules', source: s.source, pattern: s.pattern, nested: true },
        note: null,
      });
    }
  }
  return becomeParent(tx, parent, ids, context, event);
}

async function becomeParent(tx: StoreTx, parent: Task, ids: number[], context: WriteContext, event: LevelEvent): Promise<Task> {
  await tx.addDependencies(parent.id, ids);
  const patch = parentPatch(parent, context.clock);
  if (event.note) patch.notes = [...parent.notes, { at: iso(context.clock.now), by: 'baton', text: event.note }];
  const done = await tx.updateTask(parent, patch);
  if (!done) throw new Error(`task ${parent.id} changed while it was being broken down`);
  const after = [...new Set([...parent.dependsOn, ...ids])].sort((a, b) => a - b);
  const changes = { ...diff(parent, patch), dependsOn: [parent.dependsOn, after] as [unknown, unknown] };
  await tx.appendEvent(taskEvent(parent.id, context, event.type, changes, { ...event.data, subtasks: ids }));
  return (await tx.getTask(parent.id)) as Task;
}

async function openDependencies(tx: StoreTx, task: Task): Promise<boolean> {
  if (task.dependsOn.length === 0) return false;
  return (await tx.getTasks(task.dependsOn)).some((d) => d.status !== 'completed');
}

function newSubtask(parent: Task, s: PlannedSubtask, dependsOn: number[], blocked: boolean, context: WriteContext) {
  const { now, policy } = context.clock;
  // A parent scheduled for later keeps its subtasks until then too.
  const runAfterMs = parent.runAfter ? Math.max(now, Date.parse(parent.runAfter)) : now;
  return {
    title: s.title,
    description: s.description,
    type: parent.type,
    status: blocked ? ('blocked' as const) : ('queued' as const),
    priority: parent.priority,
    capabilities: s.capabilities,
    resources: [],
    // Subtasks wait in their parent's queue: its caps, pauses and defaults hold for them too.
    queue: parent.queue,
    tags: parent.tags,
    parentId: parent.id,
    dependsOn,
    conditions: [],
    estimateMinutes: s.estimateMinutes,
    complexity: s.complexity,
    command: null,
    input: null,
    result: null,
    progress: 0,
    assignee: null,
    reservedFor: null,
    attempts: 0,
    retries: 0,
    maxRetries: policy.maxRetries,
    retryPolicy: null,
    timeoutSeconds: policy.taskTimeoutSeconds,
    lastError: null,
    review: null,
    notes: [],
    checkpoints: [],
    artifacts: [],
    lease: null,
    leaseToken: 0,
    pausedFrom: null,
    createdBy: context.actor,
    createdAt: iso(now),
    startedAt: null,
    completedAt: null,
    runAfter: runAfterMs > now ? iso(runAfterMs) : null,
    readyAt: blocked ? null : iso(runAfterMs),
    claimOrder: taskClaimOrder(runAfterMs, parent, policy),
    recurrence: null,
    // A team's work stays the team's: only its members claim the parts.
    team: parent.team,
    collaborators: [],
    swarm: null,
    inputFrom: null,
  };
}

function taskEvent(
  taskId: number,
  context: WriteContext,
  type: string,
  changes: Changes,
  data: Record<string, unknown>,
): Omit<TaskEvent, 'id'> {
  return { taskId, workerId: null, actor: context.actor, type, at: iso(context.clock.now), changes, data };
}

/** Plan indexes in an order where every subtask comes after those it depends on (stable). */
function topologicalOrder(subtasks: readonly PlannedSubtask[]): number[] {
  const cycle = findAnyCycle(subtasks.flatMap((s, i) => s.dependsOn.map((d) => [i, d] as const)));
  if (cycle) throw new Error(`plan dependencies form a cycle ${cycle.join(' -> ')}`);
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < subtasks.length) {
    for (let i = 0; i < subtasks.length; i++) {
      if (placed.has(i) || !(subtasks[i] as PlannedSubtask).dependsOn.every((d) => placed.has(d))) continue;
      placed.add(i);
      order.push(i);
      break;
    }
  }
  return order;
}
