import type { z } from 'zod';
import { analyzeComplexity, breaksDownOnCreate } from '../core/breakdown/complexity.js';
import { dependencyGate } from '../core/conditions.js';
import { invalid } from '../core/errors.js';
import { pausePatch } from '../core/lifecycle.js';
import { DEFAULT_QUEUE } from '../core/queues.js';
import { createTaskSchema, parseWith } from '../core/schemas.js';
import { newTaskRecord } from '../core/task-records.js';
import type { Complexity, Task } from '../core/types.js';
import { withEstimateMinutes } from '../core/values.js';
import type { StoreTx } from '../store/store.js';
import type { CreateTaskInput } from './baton.js';
import { prepareBreakdown } from './breakdown-service.js';
import { writePlan } from './breakdown-write.js';
import { type AppContext, ruleTime, writeTasks } from './context.js';
import { assertRoom } from './queue-service.js';
import { assertRecurringInput, insertTemplate } from './recurrence-service.js';
import { requireCapable } from './reservation-service.js';
import { requireResources } from './resource-service.js';
import { writeSwarm } from './swarm-service.js';
import type { TaskWriter } from './task-writer.js';
import { checkTeamwork, routeToFollowers, withInputSource } from './teamwork.js';

/** Creating a task: checked, broken down when its complexity calls for it, written with its events. */

/** `alongside`: the caller's own writes, committed in the same transaction as the task (or not at all). */
export async function createTask(
  ctx: AppContext,
  raw: CreateTaskInput,
  alongside?: (tx: StoreTx, task: Task) => Promise<void>,
): Promise<Task> {
  const input = withInputSource(withEstimateMinutes(parseWith(createTaskSchema, raw)));
  assertRecurringInput(input);
  await checkTeamwork(ctx, input);
  if (input.assignee !== undefined) await requireCapable(ctx, input.assignee, input.capabilities ?? [], input.force);
  const mode = ctx.policy.breakdown.mode;
  const report = analyzeComplexity(input, mode);
  // Planning happens before the transaction: a planner may take a while and holds no lock.
  if (input.hold && input.every !== undefined) {
    throw invalid('hold', 'a recurring task cannot be held: pause its template instead');
  }
  const prepared =
    !input.noBreakdown &&
    !input.hold &&
    input.every === undefined &&
    input.swarm === undefined &&
    breaksDownOnCreate(report.complexity, mode)
      ? await prepareBreakdown(ctx, { ...input, priority: input.priority ?? 'normal', complexity: report.complexity })
      : null;
  return writeTasks(ctx, async (tx, writer) => {
    const task = await writeNewTask(ctx, tx, writer, { input, complexity: report.complexity, prepared });
    await alongside?.(tx, task);
    return task;
  });
}

type ParsedCreate = ReturnType<typeof withEstimateMinutes<z.output<typeof createTaskSchema>>>;
type PreparedPlan = Awaited<ReturnType<typeof prepareBreakdown>>;

/** The transaction of `createTask`: the task (or template, or split parent) and its events. */
async function writeNewTask(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  { input, complexity, prepared }: { input: ParsedCreate; complexity: Complexity; prepared: PreparedPlan | null },
): Promise<Task> {
  const every = input.every;
  if (every !== undefined) return insertTemplate(ctx, tx, writer, { ...input, every }, complexity);
  const deps = input.dependsOn ? [...new Set(input.dependsOn)] : [];
  const found = await writer.requireTasks(tx, deps, 'dependsOn');
  if (input.parentId !== undefined) await writer.requireTask(tx, input.parentId);
  await requireResources(tx, input.resources);
  await assertRoom(ctx, tx, input.queue ?? DEFAULT_QUEUE);
  const depsOpen = found.some((t) => t.status !== 'completed');
  const now = tx.now;
  const record = newTaskRecord(input, { now, policy: ctx.policy, actor: ctx.actor, complexity, depsOpen });
  // Pipeline: a source already completed hands its result over at once.
  const source = found.find((t) => t.id === record.inputFrom);
  if (source?.status === 'completed') record.input = source.result;
  const task = await tx.insertTask(record);
  await tx.appendEvent(
    writer.event(task.id, now, 'created', { status: [null, task.status] }, null, {
      title: task.title,
      priority: task.priority,
      dependsOn: task.dependsOn,
    }),
  );
  if (!prepared) {
    // Depending on a skipped task: this one will never run either.
    const gate = task.status === 'blocked' ? dependencyGate(task, found) : null;
    if (gate?.verdict === 'skip') return writer.skip(tx, task, gate.reason);
    if (input.hold) return writer.apply(tx, task, { type: 'paused', patch: pausePatch(task), data: { hold: true } });
    if (task.swarm) return writeSwarm(tx, writer, task, ruleTime(ctx, tx));
    return writer.offerIfReady(tx, task);
  }
  const written = await writePlan(tx, task, prepared, { clock: ruleTime(ctx, tx), actor: ctx.actor });
  await routeToFollowers(ctx, tx, writer, written);
  for (const sub of written.created) await writer.offerIfReady(tx, (await tx.getTask(sub.id)) as Task);
  return (await tx.getTask(task.id)) as Task;
}
