import { BatonError } from '../core/errors.js';
import { parseWith, runIdSchema, runQuerySchema, startRunSchema } from '../core/schemas.js';
import { type PlanContext, planCancel } from '../core/workflow/engine.js';
import { resolveParams, type WorkflowRun } from '../core/workflow/run.js';
import type { WorkflowDefinition } from '../core/workflow/schema.js';
import type { StoreTx } from '../store/store.js';
import type { RunDetail, RunQueryInput, RunTaskSummary, StartRunInput } from './baton.js';
import { type AppContext, writeTasks } from './context.js';
import { advanceRun, applyPlan, beginRun, runOfTask } from './run-advance.js';
import { workflowsReachable } from './run-context.js';
import { getWorkflow } from './workflow-service.js';

/** Workflow runs: start (params checked, nothing stored on a refusal), read, list, cancel. */

/** `alongside`: the caller's own writes, committed in the same transaction as the run (or not at all). */
export async function startRun(
  ctx: AppContext,
  raw: StartRunInput,
  alongside?: (tx: StoreTx) => Promise<void>,
): Promise<RunDetail> {
  const input = parseWith(startRunSchema, raw);
  const workflow = await getWorkflow(ctx, input.name, { ...(input.version !== undefined && { version: input.version }) });
  const params = resolveParams(workflow.definition, input.params ?? {});
  const context = await startContext(ctx, workflow.definition);
  const run = await writeTasks(ctx, async (tx, writer) => {
    await alongside?.(tx);
    return beginRun(ctx, tx, writer, workflow, params, { context });
  });
  return detailOf(ctx, run);
}

/** What a new run's first advance reads, from committed state (see run-context.ts). */
export async function startContext(ctx: AppContext, definition: WorkflowDefinition): Promise<PlanContext> {
  return {
    depth: 0,
    lastEventId: await ctx.store.lastEventId(),
    workflows: await workflowsReachable(ctx, definition),
  };
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
      if (!task) continue;
      const sub =
        task.tags.includes(`step:${step.id}`) && task.tags.some((t) => t.startsWith('workflow:')) ? runOfTask(task) : null;
      tasks.push({
        id,
        step: step.id,
        index,
        title: task.title,
        status: task.status,
        attempts: task.retries,
        ...(sub !== null && { run: sub }),
      });
    }
  }
  return { ...run, tasks };
}
