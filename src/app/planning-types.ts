import type { PlanDocument } from '../core/plan/types.js';
import type { ExportPlanQuery, ImportPlanInput } from '../core/schemas.js';
import type { Complexity, Priority, TaskStatus } from '../core/types.js';
import type { BreakdownOptions } from './baton.js';

/**
 * The complexity report of the open work, and breaking down what scores high, in one go; plans
 * imported and exported as Markdown or JSON.
 */

export type { ExportedPlanNode, PlanDocument } from '../core/plan/types.js';
export type { ExportPlanQuery, ImportPlanInput, PlanDocumentInput, PlanNodeInput } from '../core/schemas.js';

export interface PlanningCalls {
  /**
   * Scores every open task that has no subtasks (blocked, queued, assigned, paused; recurring
   * templates aside) from 1 to 10 with the reasons, highest first, and names those at or above
   * `threshold` (default 7) as the ones to break down.
   */
  complexityReport(query?: ComplexityReportQuery): Promise<ComplexityOverview>;
  /** Breaks down every task the report names at `threshold`, each on its own; one that fails is reported, not fatal. */
  breakdownAll(options?: BreakdownAllOptions): Promise<BreakdownAllResult>;
  /**
   * Creates the tasks of a plan in one transaction — Markdown (headings, nested lists, checklists,
   * `@capability`, `!priority`, `~estimate`, dependency lines), JSON, or prose broken down by the
   * planner — or with `dryRun` only shows them. A plan with a problem creates nothing
   * (`invalid_plan`, each problem with its line).
   */
  importPlan(input: ImportPlanInput): Promise<PlanImport>;
  /** The tree under `root`, or every task, as a plan (`planToMarkdown` writes it as Markdown). */
  exportPlan(query?: ExportPlanQuery): Promise<PlanDocument>;
}

/** One task of an imported plan: as read (`ref`, its number in reading order) and, unless a dry run, its id. */
export interface PlanTaskView {
  ref: number;
  id: number | null;
  title: string;
  description: string | null;
  capabilities: string[];
  priority: Priority;
  estimateMinutes: number | null;
  /** Created so (a dry run: would be). */
  status: TaskStatus;
  /** Refs of the plan's tasks it waits for. */
  dependsOn: number[];
  /** Ids of tasks already in the store it waits for. */
  dependsOnTasks: number[];
  subtasks: PlanTaskView[];
}

export interface PlanImport {
  dryRun: boolean;
  /** `planner`: the document was prose, broken down by `planner`. */
  source: 'markdown' | 'json' | 'planner';
  planner: string | null;
  /** Why the configured planner's plan was not used (the rule planner's was), or null. */
  fallbackReason: string | null;
  created: number;
  tasks: PlanTaskView[];
  warnings: string[];
}

export interface ComplexityReportQuery {
  /** The score from which a task should be broken down: 1 to 10 (default 7). */
  threshold?: number | undefined;
}

export interface BreakdownAllOptions extends ComplexityReportQuery, BreakdownOptions {}

export interface TaskScore {
  id: number;
  title: string;
  status: TaskStatus;
  complexity: Complexity;
  /** 1 (trivial) to 10 (far too big for one worker). */
  score: number;
  reasons: string[];
  breakDown: boolean;
}

export interface ComplexityOverview {
  threshold: number;
  tasks: TaskScore[];
  /** The ids of the tasks at or above the threshold, highest score first. */
  toBreakDown: number[];
  /** Open tasks looked at; at most COMPLEXITY_REPORT_LIMIT, the oldest first. */
  scanned: number;
}

export interface BreakdownAllResult {
  threshold: number;
  dryRun: boolean;
  results: { id: number; title: string; score: number; subtasks: number; planner: string | null; error: string | null }[];
}
