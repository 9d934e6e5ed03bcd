import { checklistForBreakdown } from '../core/breakdown/checklist.js';
import { analyzeComplexity, complexityScore } from '../core/breakdown/complexity.js';
import { deliverablesOf } from '../core/breakdown/deliverables.js';
import { BatonError } from '../core/errors.js';
import { isTemplate } from '../core/recurrence.js';
import { breakdownAllSchema, complexityReportSchema, parseWith } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import { breakdown } from './breakdown-service.js';
import type { AppContext } from './context.js';
import type {
  BreakdownAllOptions,
  BreakdownAllResult,
  ComplexityOverview,
  ComplexityReportQuery,
  TaskScore,
} from './planning-types.js';

/** The score from which the report says to break a task down: complex work of a day or more. */
export const DEFAULT_THRESHOLD = 7;
/** Open tasks one report looks at, oldest first: a report is read by a person. */
export const COMPLEXITY_REPORT_LIMIT = 5_000;

/** Every open task without subtasks, scored 1–10 with the reasons, highest first. */
export async function complexityReport(ctx: AppContext, raw: ComplexityReportQuery = {}): Promise<ComplexityOverview> {
  const { threshold = DEFAULT_THRESHOLD } = parseWith(complexityReportSchema, raw);
  const tasks = await openTasks(ctx);
  const scored = tasks.map((t) => scoreOf(ctx, t, threshold)).sort((a, b) => b.score - a.score || a.id - b.id);
  return { threshold, tasks: scored, toBreakDown: scored.filter((t) => t.breakDown).map((t) => t.id), scanned: tasks.length };
}

/** Breaks down, one by one, every task the report names; a refusal (claimed meanwhile) is reported. */
export async function breakdownAll(ctx: AppContext, raw: BreakdownAllOptions = {}): Promise<BreakdownAllResult> {
  const { threshold, planner, dryRun } = parseWith(breakdownAllSchema, raw);
  const report = await complexityReport(ctx, { threshold });
  const results: BreakdownAllResult['results'] = [];
  for (const t of report.tasks.filter((s) => s.breakDown)) {
    try {
      const done = await breakdown(ctx, t.id, { planner, dryRun });
      const subtasks = dryRun ? done.plan.subtasks.length : done.subtasks.length;
      results.push({ id: t.id, title: t.title, score: t.score, subtasks, planner: done.planner, error: null });
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      results.push({
        id: t.id,
        title: t.title,
        score: t.score,
        subtasks: 0,
        planner: null,
        error: `${err.code}: ${err.message}`,
      });
    }
  }
  return { threshold: report.threshold, dryRun: Boolean(dryRun), results };
}

async function openTasks(ctx: AppContext): Promise<Task[]> {
  const query = {
    status: ['blocked', 'queued', 'assigned', 'paused'] as const,
    hasSubtasks: false,
    limit: COMPLEXITY_REPORT_LIMIT,
  };
  return (await ctx.store.listTasks(query)).filter((t) => !isTemplate(t));
}

function scoreOf(ctx: AppContext, task: Task, threshold: number): TaskScore {
  const report = analyzeComplexity(task, ctx.policy.breakdown.mode);
  const extra = {
    deliverables: deliverablesOf(task).length,
    checklistItems: checklistForBreakdown(task.description).filter((i) => !i.done).length,
  };
  const { score, reasons } = complexityScore(report, extra);
  return {
    id: task.id,
    title: task.title,
    status: task.status,
    complexity: report.complexity,
    score,
    reasons,
    breakDown: score >= threshold,
  };
}
