import type { BreakdownSubject, PlannerName } from '../core/breakdown/types.js';
import { assertCanBreakdown, canBreakdown } from '../core/lifecycle.js';
import { analyzeSubjectSchema, breakdownOptionsSchema, parseWith } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import { withEstimateMinutes } from '../core/values.js';
import type { BreakdownOptions, BreakdownResult, TaskAnalysis } from './baton.js';
import { analyzeSubject, type PreparedPlan, preparePlan } from './breakdown.js';
import { writePlan } from './breakdown-write.js';
import { type AppContext, planningContext, ruleTime, writeTasks } from './context.js';
import { assertNotTemplate } from './recurrence-service.js';
import { existingBreakdown } from './subtask-tree.js';
import { getTask } from './task-service.js';
import { assertNotSwarm, routeToFollowers } from './teamwork.js';

/** Breakdown use cases (SPEC §6): analyse a task, plan it, write the plan in one transaction. */

export async function analyze(ctx: AppContext, raw: number | BreakdownSubject): Promise<TaskAnalysis> {
  const target = typeof raw === 'number' ? raw : withEstimateMinutes(parseWith(analyzeSubjectSchema, raw));
  const task = typeof target === 'number' ? await getTask(ctx, target) : null;
  const ref = task ? { id: task.id, subtasks: await ctx.store.countTasks({ parentId: task.id }) } : null;
  return analyzeSubject(task ?? (target as BreakdownSubject), ref, planningContext(ctx));
}

export async function breakdown(ctx: AppContext, id: number, raw: BreakdownOptions = {}): Promise<BreakdownResult> {
  const options = parseWith(breakdownOptionsSchema, raw);
  const task = await getTask(ctx, id);
  if (options.dryRun && !canBreakdown(task)) {
    // Split already: the dry run shows what was written, as `baton breakdown ID --dry-run` promises.
    const existing = await existingBreakdown(ctx.store, task);
    if (existing) return existing;
  }
  assertCanBreakdown(task);
  assertNotTemplate(task, 'be broken down');
  assertNotSwarm(task);
  const prepared = await prepareBreakdown(ctx, task, options.planner);
  const summary = {
    dryRun: Boolean(options.dryRun),
    existing: false,
    plan: prepared.plan,
    planner: prepared.plan.planner,
    requestedPlanner: prepared.requestedPlanner,
    fallbackReason: prepared.fallbackReason,
    warnings: prepared.warnings,
  };
  if (options.dryRun) return { ...summary, task, subtasks: [] };
  const written = await writeTasks(ctx, async (tx, writer) => {
    // Claimed or split by someone else while the planner thought: writePlan refuses it.
    const current = await writer.requireTask(tx, id);
    const result = await writePlan(tx, current, prepared, { clock: ruleTime(ctx, tx), actor: ctx.actor });
    const routed = await routeToFollowers(ctx, tx, writer, result);
    for (const sub of routed.created) await writer.offerIfReady(tx, (await tx.getTask(sub.id)) as Task);
    return routed;
  });
  return { ...summary, task: written.parent, subtasks: written.created };
}

export async function prepareBreakdown(
  ctx: AppContext,
  subject: BreakdownSubject & { id?: number; priority?: string; complexity?: string },
  planner?: PlannerName,
): Promise<PreparedPlan> {
  return preparePlan(subject, planner ?? ctx.policy.breakdown.planner, planningContext(ctx));
}
