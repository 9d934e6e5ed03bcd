import { BatonError } from '../core/errors.js';
import { approveStepSchema, parseWith, runIdSchema } from '../core/schemas.js';
import { planRun } from '../core/workflow/engine.js';
import type { RunDetail } from './baton.js';
import { type AppContext, writeTasks } from './context.js';
import { applyPlan } from './run-advance.js';
import { detailOf, runNotFound } from './run-service.js';

/**
 * Deciding an approval step: the caller's role must be one of the step's `by`. The decision is
 * written with the run's next advance, in one transaction under the run's lock: an approved step
 * completes and the steps after it start; a rejected one fails (and with it the run).
 */
export async function approveStep(
  ctx: AppContext,
  rawId: number,
  step: string,
  raw: { reject?: boolean; comment?: string; role?: string } = {},
): Promise<RunDetail> {
  const id = parseWith(runIdSchema, rawId, { what: 'run id' });
  const input = parseWith(approveStepSchema, { step, ...raw });
  // A caller of a local store owns it; the server passes the role of its caller's key.
  const role = input.role ?? 'admin';
  const run = await writeTasks(ctx, async (tx, writer) => {
    const current = await tx.lockRun(id);
    if (!current) throw runNotFound(id);
    const wf = await ctx.store.getWorkflow(current.workflow, current.version);
    const def = wf?.definition.steps.find((s) => s.id === input.step);
    const state = current.steps.find((s) => s.id === input.step);
    if (!wf || !def || !state) {
      throw new BatonError('step_not_found', `run ${id} has no step ${input.step}`, { run: id, step: input.step });
    }
    if (!def.approval) {
      throw new BatonError('step_not_waiting', `step ${input.step} of run ${id} is not an approval`, { status: state.status });
    }
    if (current.status !== 'running' || state.status !== 'waiting' || state.decision) {
      throw new BatonError('step_not_waiting', `step ${input.step} of run ${id} is not waiting for approval (${state.status})`, {
        status: state.status,
      });
    }
    if (!def.approval.by.includes(role)) {
      throw new BatonError('forbidden', `step ${input.step} may be decided only by ${def.approval.by.join(', ')}, not ${role}`, {
        by: def.approval.by,
        role,
      });
    }
    const at = new Date(tx.now).toISOString();
    const decision = { approved: !input.reject, by: ctx.actor, role, comment: input.comment ?? null, at };
    const decided = { ...current, steps: current.steps.map((s) => (s.id === input.step ? { ...s, decision } : s)) };
    await tx.appendEvent({
      taskId: current.parentTaskId,
      workerId: null,
      actor: ctx.actor,
      type: input.reject ? 'step_rejected' : 'step_approved',
      at,
      changes: {},
      data: {
        run: id,
        workflow: current.workflow,
        step: input.step,
        role,
        ...(decision.comment && { comment: decision.comment }),
      },
    });
    const ids = decided.steps.flatMap((s) => s.taskIds);
    const tasks = await tx.getTasks(ids);
    const views = new Map(tasks.map((t) => [t.id, { id: t.id, status: t.status, result: t.result, lastError: t.lastError }]));
    return applyPlan(ctx, tx, writer, decided, planRun(wf.definition, decided, views, tx.now));
  });
  return detailOf(ctx, run);
}
