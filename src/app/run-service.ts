import { analyzeComplexity } from '../core/breakdown/complexity.js';
import { BatonError } from '../core/errors.js';
import { createTaskSchema, parseWith, runIdSchema, runQuerySchema, startRunSchema } from '../core/schemas.js';
import { newTaskRecord } from '../core/task-records.js';
import { planCancel, planRun } from '../core/workflow/engine.js';
import { initialSteps, resolveParams, unsupportedOf, type WorkflowRun } from '../core/workflow/run.js';
import type { RunDetail, RunQueryInput, RunTaskSummary, StartRunInput } from './baton.js';
import { type AppContext, writeTasks } from './context.js';
import { advanceRun, applyPlan } from './run-advance.js';
import { getWorkflow } from './workflow-service.js';

/** Workflow runs: start (params checked, nothing stored on a refusal), read, list, cancel. */

const iso = (ms: number) => new Date(ms).toISOString();

export async function startRun(ctx: AppContext, raw: StartRunInput): Promise<RunDetail> {
  const input = parseWith(startRunSchema, raw);
  const workflow = await getWorkflow(ctx, input.name, { ...(input.version !== undefined && { version: input.version }) });
  const definition = workflow.definition;
  for (const step of definition.steps) {
    const kind = unsupportedOf(step);
    if (kind) {
      throw new BatonError(
        'step_not_supported',
        `workflow ${definition.name}: step ${step.id} is a ${kind} step, which this Baton does not run yet`,
        { step: step.id, kind },
      );
    }
  }
  const params = resolveParams(definition, input.params ?? {});
  const run = await writeTasks(ctx, async (tx, writer) => {
    const at = iso(tx.now);
    const inserted = await tx.insertRun({
      workflow: workflow.name,
      version: workflow.version,
      params,
      status: 'running',
      parentTaskId: null,
      steps: initialSteps(definition),
      error: null,
      createdBy: ctx.actor,
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
    });
    const parentInput = parseWith(createTaskSchema, {
      title: `${workflow.name} run ${inserted.id}`.slice(0, 200),
      tags: [`run:${inserted.id}`, `workflow:${workflow.name}`],
      noBreakdown: true,
    });
    const complexity = analyzeComplexity(parentInput, ctx.policy.breakdown.mode).complexity;
    const record = newTaskRecord(parentInput, { now: tx.now, policy: ctx.policy, actor: ctx.actor, complexity, depsOpen: false });
    // The run's own task follows its steps, like a parent its subtasks: no worker claims it.
    const parent = await tx.insertTask({ ...record, status: 'executing', readyAt: null, startedAt: at });
    await tx.appendEvent(
      writer.event(parent.id, tx.now, 'created', { status: [null, parent.status] }, null, {
        title: parent.title,
        run: inserted.id,
      }),
    );
    const started = (await tx.updateRun(inserted, { parentTaskId: parent.id })) as WorkflowRun;
    await tx.appendEvent({
      taskId: parent.id,
      workerId: null,
      actor: ctx.actor,
      type: 'run_started',
      at,
      changes: {},
      data: { run: started.id, workflow: workflow.name, version: workflow.version, params },
    });
    return applyPlan(ctx, tx, writer, started, planRun(definition, started, new Map(), tx.now));
  });
  return detailOf(ctx, run);
}

export async function getRun(ctx: AppContext, rawId: number): Promise<RunDetail> {
  const id = parseWith(runIdSchema, rawId, { what: 'run id' });
  // A local read moves the run on first, so what it shows is current.
  await advanceRun(ctx, id).catch(() => undefined);
  const run = await ctx.store.getRun(id);
  if (!run) throw runNotFound(id);
  return detailOf(ctx, run);
}

export async function listRuns(ctx: AppContext, raw: RunQueryInput = {}): Promise<WorkflowRun[]> {
  const q = parseWith(runQuerySchema, raw);
  return ctx.store.listRuns({ workflow: q.name, status: q.status, limit: 100 });
}

export async function cancelRun(ctx: AppContext, rawId: number, options: { reason?: string } = {}): Promise<RunDetail> {
  const id = parseWith(runIdSchema, rawId, { what: 'run id' });
  const run = await writeTasks(ctx, async (tx, writer) => {
    const current = await tx.lockRun(id);
    if (!current) throw runNotFound(id);
    if (current.status !== 'running') {
      throw new BatonError('run_finished', `run ${id} already ended (${current.status})`, { status: current.status });
    }
    const ids = current.steps.flatMap((s) => s.taskIds);
    const tasks = await tx.getTasks(ids);
    const views = new Map(tasks.map((t) => [t.id, { id: t.id, status: t.status, result: t.result, lastError: t.lastError }]));
    const plan = planCancel(current, views, tx.now, options.reason ?? null);
    return applyPlan(ctx, tx, writer, current, plan);
  });
  return detailOf(ctx, run);
}

export function runNotFound(id: number): BatonError {
  return new BatonError('run_not_found', `run ${id} not found`, { id });
}

export async function detailOf(ctx: AppContext, run: WorkflowRun): Promise<RunDetail> {
  const byId = new Map((await ctx.store.getTasks(run.steps.flatMap((s) => s.taskIds))).map((t) => [t.id, t]));
  const tasks: RunTaskSummary[] = [];
  for (const step of run.steps) {
    for (const [index, id] of step.taskIds.entries()) {
      const task = byId.get(id);
      if (task) tasks.push({ id, step: step.id, index, title: task.title, status: task.status, attempts: task.retries });
    }
  }
  return { ...run, tasks };
}
