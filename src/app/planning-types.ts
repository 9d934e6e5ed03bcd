import type { Complexity, TaskStatus } from '../core/types.js';
import type { BreakdownOptions } from './baton.js';

/** The complexity report of the open work, and breaking down what scores high, in one go. */

export interface PlanningCalls {
  /**
   * Scores every open task that has no subtasks (blocked, queued, assigned, paused; recurring
   * templates aside) from 1 to 10 with the reasons, highest first, and names those at or above
   * `threshold` (default 7) as the ones to break down.
   */
  complexityReport(query?: ComplexityReportQuery): Promise<ComplexityOverview>;
  /** Breaks down every task the report names at `threshold`, each on its own; one that fails is reported, not fatal. */
  breakdownAll(options?: BreakdownAllOptions): Promise<BreakdownAllResult>;
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
