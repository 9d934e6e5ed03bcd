import { can, cancelPatch, parentPatch, type RuleTime, toReady } from '../core/lifecycle.js';
import { assertSwarmFits, mergeOutcome, swarmOf, swarmSpec } from '../core/swarm.js';
import type { Task, Team, Worker } from '../core/types.js';
import type { NewTask, StoreTx } from '../store/store.js';
import { SYSTEM_ACTOR, type TaskWriter } from './task-writer.js';

/** Swarms (`core/swarm.ts`): the attempts written at creation, and the merge when they end. */

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The workers able to take an attempt: registered and not stopped, holding the task's
 * capabilities, and members of its team when it has one. A swarm larger than that is refused.
 */
export function assertSwarmWorkers(
  task: { swarm?: number | undefined; capabilities?: string[] | undefined; team?: string | undefined },
  workers: readonly Worker[],
  team: Team | null,
): void {
  if (task.swarm === undefined) return;
  const needs = task.capabilities ?? [];
  const capable = workers
    .filter((w) => w.state === 'active' && needs.every((c) => w.capabilities.includes(c)))
    .filter((w) => team === null || team.members.includes(w.id))
    .map((w) => w.id);
  assertSwarmFits(task.swarm, capable);
}

/** Splits a new swarm parent into its attempts; it becomes a parent (executing, no lease) that follows them. */
export async function writeSwarm(tx: StoreTx, writer: TaskWriter, parent: Task, clock: RuleTime): Promise<Task> {
  const spec = swarmSpec(parent);
  if (!spec) return parent;
  const ids: number[] = [];
  for (let attempt = 1; attempt <= spec.size; attempt++) {
    const task = await tx.insertTask(attemptRecord(parent, attempt, spec.size));
    await tx.appendEvent(
      writer.event(task.id, clock.now, 'created', { status: [null, task.status] }, null, {
        title: task.title,
        priority: task.priority,
        parentId: parent.id,
        swarm: { of: parent.id, attempt },
      }),
    );
    ids.push(task.id);
  }
  await tx.addDependencies(parent.id, ids);
  const after = [...new Set([...parent.dependsOn, ...ids])].sort((a, b) => a - b);
  return writer.apply(tx, parent, {
    type: 'swarmed',
    patch: parentPatch(parent, clock),
    extraChanges: { dependsOn: [parent.dependsOn, after] },
    data: { attempts: ids, merge: spec.merge },
  });
}

/** An attempt: the parent's work (command, input, capabilities, team, dependencies) under its own id. */
function attemptRecord(parent: Task, attempt: number, size: number): NewTask {
  const { id: _id, version: _v, updatedAt: _u, ...rest } = parent;
  return {
    ...rest,
    title: `${parent.title} (attempt ${attempt}/${size})`,
    parentId: parent.id,
    swarm: { role: 'attempt', of: parent.id, attempt },
    notes: [],
    checkpoints: [],
    artifacts: [],
  };
}

/**
 * An attempt changed: the parent merges when its strategy says (`mergeOutcome`). The parent is
 * written first, so the attempts a `first` merge cancels find it no longer following them.
 */
export async function mergeSwarm(tx: StoreTx, writer: TaskWriter, parent: Task): Promise<void> {
  const spec = swarmSpec(parent);
  if (!spec || !can(parent, 'rollup') || parent.lease || parent.status !== 'executing') return;
  const attempts = (await tx.getTasks(parent.dependsOn)).filter((a) => swarmOf(a) === parent.id).sort((a, b) => a.id - b.id);
  const outcome = mergeOutcome(spec.merge, attempts);
  const clock = writer.clock(tx);
  const base = { actor: SYSTEM_ACTOR };
  switch (outcome.kind) {
    case 'wait':
      return;
    case 'complete':
      await writer.apply(tx, parent, {
        ...base,
        type: 'completed',
        patch: { status: 'completed', progress: 100, result: outcome.result, completedAt: iso(clock.now) },
        data: { swarm: true, merge: spec.merge, from: outcome.from },
      });
      for (const a of attempts) {
        const current = (await tx.getTask(a.id)) as Task;
        if (can(current, 'cancel')) {
          await writer.apply(tx, current, {
            ...base,
            type: 'cancelled',
            patch: cancelPatch(),
            data: { reason: `swarm #${parent.id} merged` },
          });
        }
      }
      return;
    case 'fail':
      await writer.apply(tx, parent, {
        ...base,
        type: 'failed',
        patch: { status: 'failed', lastError: outcome.error },
        data: { swarm: true },
      });
      return;
    case 'merge_step':
      // The merge step is the parent itself, back in the queue: it completes when that step does.
      await writer.apply(tx, parent, {
        ...base,
        type: 'merge_ready',
        patch: { ...toReady(parent, clock), input: outcome.input, command: spec.mergeCommand, progress: 0 },
        data: { swarm: true, merge: spec.merge },
      });
      return;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}
