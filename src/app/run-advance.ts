import { analyzeComplexity } from '../core/breakdown/complexity.js';
import { BatonError } from '../core/errors.js';
import { cancelPatch, type TaskPatch } from '../core/lifecycle.js';
import { createTaskSchema, parseWith } from '../core/schemas.js';
import { newTaskRecord } from '../core/task-records.js';
import type { Task } from '../core/types.js';
import { type PlanContext, planCancel, planRun, type RunPlan, type RunTaskView, type SubRun } from '../core/workflow/engine.js';
import type { WorkflowRecord } from '../core/workflow/record.js';
import type { RenderedTask } from '../core/workflow/render.js';
import { initialSteps, isStepFinal, type WorkflowRun } from '../core/workflow/run.js';
import type { WorkflowDefinition } from '../core/workflow/schema.js';
import type { Store, StoreTx } from '../store/store.js';
import { type AppContext, writeTasks } from './context.js';
import { planContext } from './run-context.js';
import { SYSTEM_ACTOR, type TaskWriter, type WriteEffects } from './task-writer.js';

/**
 * Applying the run engine (core/workflow/engine.ts): each advance is one transaction that holds
 * the run's lock and writes with a revision check, so two processes (two server replicas, a server
 * and a CLI) never advance the same step twice. Runs advance after a change of one of their tasks
 * commits, from the server's sweep (waits fall due by time alone; a safety net for the rest), and
 * on local reads of runs.
 */

const iso = (ms: number) => new Date(ms).toISOString();

/** The run a task belongs to, from its `run:N` tag. */
export function runOfTask(task: Pick<Task, 'tags'>): number | null {
  for (const tag of task.tags) {
    const m = /^run:(\d+)$/.exec(tag);
    if (m) return Number(m[1]);
  }
  return null;
}

/** The tasks of the steps still under way: the only ones the engine reads. */
const stepTaskIds = (run: WorkflowRun): number[] =>
  run.steps.filter((s) => !isStepFinal(s.status)).flatMap((s) => s.taskIds.filter((id) => id > 0));

function viewsOf(tasks: readonly Task[]): Map<number, RunTaskView> {
  return new Map(tasks.map((t) => [t.id, { id: t.id, status: t.status, result: t.result, lastError: t.lastError }]));
}

/** Per store, definitions already read: a version of a workflow never changes once registered. */
const definitions = new WeakMap<object, Map<string, WorkflowDefinition>>();
const DEFINITIONS_KEPT = 256;

async function definitionOf(store: Store, run: WorkflowRun): Promise<WorkflowDefinition> {
  let known = definitions.get(store);
  if (!known) {
    known = new Map();
    definitions.set(store, known);
  }
  const key = `${run.workflow}@${run.version}`;
  const cached = known.get(key);
  if (cached) return cached;
  const wf = await store.getWorkflow(run.workflow, run.version);
  if (!wf) throw new BatonError('workflow_not_found', `version ${run.version} of workflow ${run.workflow} not found`);
  if (known.size >= DEFINITIONS_KEPT) known.delete(known.keys().next().value as string);
  known.set(key, wf.definition);
  return wf.definition;
}

/** Where a run comes from, beside its workflow and params. */
export interface RunOrigin {
  /** A sub-run: the run and step that start it (its task becomes a subtask of that run's task). */
  parent?: { run: WorkflowRun; step: string };
  /** What the run engine reads (`run-context.ts`); `depth` is the new run's own. */
  context: PlanContext;
  /** Recorded in the `run_started` event: a trigger that fired, say. */
  data?: Record<string, unknown>;
}

/**
 * Writes a new run, its own task (which no worker claims: it follows its steps, as a parent its
 * subtasks) and its first advance, in the caller's transaction.
 */
export async function beginRun(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  workflow: WorkflowRecord,
  params: Record<string, unknown>,
  origin: RunOrigin,
): Promise<WorkflowRun> {
  const at = iso(tx.now);
  const parent = origin.parent;
  const inserted = await tx.insertRun({
    workflow: workflow.name,
    version: workflow.version,
    params,
    status: 'running',
    parentTaskId: null,
    steps: initialSteps(workflow.definition),
    error: null,
    createdBy: ctx.actor,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  });
  const tags = [
    `run:${inserted.id}`,
    `workflow:${workflow.name}`,
    ...(parent ? [`run:${parent.run.id}`, `step:${parent.step}`] : []),
  ];
  const input = parseWith(createTaskSchema, {
    title: `${workflow.name} run ${inserted.id}`.slice(0, 200),
    tags,
    ...(parent && parent.run.parentTaskId !== null && { parentId: parent.run.parentTaskId }),
    noBreakdown: true,
  });
  const complexity = analyzeComplexity(input, ctx.policy.breakdown.mode).complexity;
  const record = newTaskRecord(input, { now: tx.now, policy: ctx.policy, actor: ctx.actor, complexity, depsOpen: false });
  const task = await tx.insertTask({ ...record, status: 'executing', readyAt: null, startedAt: at });
  await tx.appendEvent(
    writer.event(task.id, tx.now, 'created', { status: [null, task.status] }, null, { title: task.title, run: inserted.id }),
  );
  const started = (await tx.updateRun(inserted, { parentTaskId: task.id })) as WorkflowRun;
  await tx.appendEvent({
    taskId: task.id,
    workerId: null,
    actor: ctx.actor,
    type: 'run_started',
    at,
    changes: {},
    data: {
      run: started.id,
      workflow: workflow.name,
      version: workflow.version,
      params,
      ...(parent && { parentRun: parent.run.id, step: parent.step }),
      ...origin.data,
    },
  });
  const plan = planRun(workflow.definition, started, new Map(), tx.now, origin.context);
  return applyPlan(ctx, tx, writer, started, plan, origin.context);
}

/** A sub-run a plan starts: its workflow (from the plan's context) and its depth. */
async function beginSubRun(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  run: WorkflowRun,
  step: string,
  sub: SubRun,
  context: PlanContext,
): Promise<Task> {
  const workflow = context.workflows?.get(sub.workflow);
  if (!workflow) throw new BatonError('workflow_not_found', `workflow ${sub.workflow} not found`);
  const child = await beginRun(ctx, tx, writer, workflow as WorkflowRecord, sub.params, {
    parent: { run, step },
    context: { ...context, depth: (context.depth ?? 0) + 1 },
  });
  return (await tx.getTask(child.parentTaskId as number)) as Task;
}

/** Writes a plan: the new tasks, the cancelled ones, the run's parent at the end, the events, the run. */
export async function applyPlan(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  run: WorkflowRun,
  plan: RunPlan,
  context: PlanContext = {},
): Promise<WorkflowRun> {
  const ids: number[] = [];
  for (const c of plan.create) {
    const task = c.run
      ? await beginSubRun(ctx, tx, writer, run, c.step, c.run, context)
      : await insertStepTask(ctx, tx, writer, run, c.step, c.task);
    ids.push(task.id);
  }
  const steps = plan.steps.map((s) => ({ ...s, taskIds: s.taskIds.map((id) => (id < 0 ? (ids[-id - 1] as number) : id)) }));
  for (const id of plan.cancel) {
    const task = await tx.getTask(id);
    if (!task || ['completed', 'failed', 'cancelled', 'skipped'].includes(task.status)) continue;
    await writer.apply(tx, task, {
      type: 'cancelled',
      patch: cancelPatch(),
      actor: SYSTEM_ACTOR,
      data: { reason: `run ${run.id} cancelled` },
    });
  }
  const ended = plan.status !== 'running';
  if (ended && run.parentTaskId !== null) await endParent(tx, writer, run.parentTaskId, plan, steps);
  for (const e of plan.events) {
    await tx.appendEvent({
      taskId: run.parentTaskId,
      workerId: null,
      actor: ctx.actor ?? SYSTEM_ACTOR,
      type: e.type,
      at: iso(tx.now),
      changes: {},
      data: e.data,
    });
  }
  const patch = { steps, status: plan.status, error: plan.error, ...(ended && { finishedAt: iso(tx.now) }) };
  const written = await tx.updateRun(run, patch);
  if (!written) throw new BatonError('version_mismatch', `run ${run.id} changed while it was being advanced; try again`);
  return written;
}

async function insertStepTask(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  run: WorkflowRun,
  step: string,
  rendered: RenderedTask,
): Promise<Task> {
  const input = parseWith(createTaskSchema, {
    ...rendered,
    ...(run.parentTaskId !== null && { parentId: run.parentTaskId }),
    noBreakdown: true,
  });
  const complexity = analyzeComplexity(input, ctx.policy.breakdown.mode).complexity;
  const task = await tx.insertTask(
    newTaskRecord(input, { now: tx.now, policy: ctx.policy, actor: ctx.actor, complexity, depsOpen: false }),
  );
  await tx.appendEvent(
    writer.event(task.id, tx.now, 'created', { status: [null, task.status] }, null, {
      title: task.title,
      priority: task.priority,
      run: run.id,
      step,
    }),
  );
  return writer.offerIfReady(tx, task);
}

async function endParent(tx: StoreTx, writer: TaskWriter, id: number, plan: RunPlan, steps: WorkflowRun['steps']): Promise<void> {
  const parent = await tx.getTask(id);
  if (!parent || ['completed', 'failed', 'cancelled', 'skipped'].includes(parent.status)) return;
  const result = Object.fromEntries(steps.map((s) => [s.id, { status: s.status, result: s.result }]));
  let patch: TaskPatch;
  let type: string;
  if (plan.status === 'completed') {
    patch = { status: 'completed', progress: 100, pausedFrom: null, completedAt: iso(tx.now), result };
    type = 'completed';
  } else if (plan.status === 'failed') {
    patch = { status: 'failed', lease: null, pausedFrom: null, lastError: plan.error, result };
    type = 'failed';
  } else {
    patch = cancelPatch();
    type = 'cancelled';
  }
  await writer.apply(tx, parent, { type, patch, actor: SYSTEM_ACTOR, data: { run: true } });
}

/**
 * Advances one run as far as it goes now. The plan is first made from committed state without a
 * lock; only when it would change something is it made again under the run's lock and written.
 */
export async function advanceRun(ctx: AppContext, id: number): Promise<WorkflowRun | undefined> {
  const seen = await ctx.store.getRun(id);
  if (seen?.status !== 'running') return seen;
  const definition = await definitionOf(ctx.store, seen);
  // Read before the transaction, from committed state (workflows, events): see run-context.ts.
  const context = await planContext(ctx, definition, seen);
  const look = async (run: WorkflowRun, read: (ids: number[]) => Promise<Task[]>, now: number) => {
    const tasks = await read([...stepTaskIds(run), ...(run.parentTaskId !== null ? [run.parentTaskId] : [])]);
    const parent = tasks.find((t) => t.id === run.parentTaskId);
    // The run's own task cancelled by hand cancels the run.
    if (parent?.status === 'cancelled') return planCancel(run, viewsOf(tasks), now, `task #${parent.id} cancelled`);
    return planRun(definition, run, viewsOf(tasks), now, context);
  };
  const preview = await look(seen, (ids) => ctx.store.getTasks(ids), await ctx.store.now());
  if (!preview.changed) return seen;
  return writeTasks(ctx, async (tx, writer) => {
    const run = await tx.lockRun(id);
    if (run?.status !== 'running') return run;
    const plan = await look(run, (ids) => tx.getTasks(ids), tx.now);
    return plan.changed ? applyPlan(ctx, tx, writer, run, plan, context) : run;
  });
}

/** How often a sweep also looks for runs that missed an advance (a process died after a commit). */
const BEHIND_EVERY_MS = 10_000;
const lastBehindLook = new WeakMap<object, number>();

/**
 * The sweep's share of runs: those due by time (waits, loop pauses, approval timeouts; waits for
 * events at every sweep), read through an index, and every 10 s the runs a lost advance left behind.
 * With the sweep's look (`Store.sweepDue`): when it found no run due, only the runs left behind are
 * looked for, when their 10 s come.
 */
export async function advanceRuns(ctx: AppContext, look?: { due: boolean; nowMs: number }): Promise<void> {
  const now = look?.nowMs ?? (await ctx.store.now());
  const ids = (look?.due ?? true) ? (await ctx.store.listRuns({ dueBy: now, limit: 200 })).map((r) => r.id) : [];
  if (now - (lastBehindLook.get(ctx.store) ?? 0) >= BEHIND_EVERY_MS) {
    lastBehindLook.set(ctx.store, now);
    ids.push(...(await ctx.store.runsBehind(100)));
  }
  for (const id of new Set(ids)) await advanceRun(ctx, id).catch(() => undefined);
}

/** After a commit: the runs whose tasks changed state move on. A failure is left to the sweep. */
export async function advanceNoted(ctx: AppContext, effects: WriteEffects): Promise<void> {
  const runs = effects.runs;
  if (!runs || runs.size === 0) return;
  const ids = [...runs];
  runs.clear();
  for (const id of ids) await advanceRun(ctx, id).catch(() => undefined);
}
