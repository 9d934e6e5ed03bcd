import { BatonError } from '../core/errors.js';
import { LIMITS } from '../core/limits.js';
import { type BulkInput, bulkSchema, parseWith, type TaskFilter, taskFilterSchema } from '../core/schemas.js';
import { TASK_STATUSES, type Task, type TaskStatus } from '../core/types.js';
import type { BulkResult, TaskCounts } from './baton.js';
import { type AppContext, writeTasks } from './context.js';
import { cancelIn, pauseIn, resumeIn, retryIn, taskQueryOf, updateIn } from './task-service.js';

/** Steering many tasks at once: counts for a filter, and bulk changes in one transaction. */

/** How many tasks a filter selects, per status (what a board shows above its columns). */
export async function countTasks(ctx: AppContext, raw: TaskFilter = {}): Promise<TaskCounts> {
  const filter = parseWith(taskFilterSchema, raw);
  const byStatus = await ctx.store.countByStatus(taskQueryOf(filter));
  const total = TASK_STATUSES.reduce((n, s) => n + byStatus[s], 0);
  return { total, byStatus: byStatus as Record<TaskStatus, number> };
}

/** Thrown inside a dry run's transaction so that it rolls back; carries what it would have done. */
class DryRun {
  constructor(readonly tasks: Task[]) {}
}

/**
 * One action on every task named or selected, in one transaction: a task that does not exist or
 * is in a state the action does not apply to aborts the whole batch (nothing changes), with the
 * refusal's code and the task named. A dry run does all of it, then rolls back.
 */
export async function bulk(ctx: AppContext, raw: BulkInput): Promise<BulkResult> {
  const input = parseWith(bulkSchema, raw);
  const ids = input.ids ? [...new Set(input.ids)] : await selected(ctx, input.where ?? {});
  const run = async (): Promise<Task[]> =>
    writeTasks(ctx, async (tx, writer) => {
      const changed: Task[] = [];
      const before = new Map((await tx.getTasks(ids)).map((t) => [t.id, t.version]));
      for (const id of ids) {
        // Changed already by this batch (a subtask cancelled or retried with its parent): done.
        const now = before.has(id) ? await tx.getTask(id) : undefined;
        if (now && now.version !== before.get(id)) {
          changed.push(now);
          continue;
        }
        try {
          if (input.action === 'cancel') changed.push(await cancelIn(tx, writer, id, input.reason));
          else if (input.action === 'retry') changed.push(await retryIn(ctx, tx, writer, id));
          else if (input.action === 'pause') changed.push(await pauseIn(tx, writer, id));
          else if (input.action === 'resume') changed.push(await resumeIn(ctx, tx, writer, id));
          else changed.push(await updateIn(ctx, tx, writer, id, { priority: input.priority }));
        } catch (error) {
          if (!(error instanceof BatonError)) throw error;
          throw new BatonError(
            error.code,
            `${input.action} of ${ids.length} task(s) refused, nothing was changed: task ${id}: ${error.message}`,
            { ...error.details, id, action: input.action },
          );
        }
      }
      if (input.dryRun) throw new DryRun(changed);
      return changed;
    });
  let tasks: Task[];
  try {
    tasks = await run();
  } catch (error) {
    if (!(error instanceof DryRun)) throw error;
    tasks = error.tasks;
  }
  return { action: input.action, dryRun: input.dryRun === true, count: ids.length, ids, tasks };
}

async function selected(ctx: AppContext, where: TaskFilter): Promise<number[]> {
  const query = taskQueryOf(where);
  const rows = await ctx.store.listTasks({ ...query, limit: LIMITS.bulkTasks + 1 });
  if (rows.length > LIMITS.bulkTasks) {
    throw new BatonError(
      'invalid_argument',
      `where: selects more than ${LIMITS.bulkTasks} tasks; one bulk change takes at most ${LIMITS.bulkTasks} (narrow the filter)`,
      { field: 'where', limit: LIMITS.bulkTasks },
    );
  }
  return rows.map((t) => t.id);
}
