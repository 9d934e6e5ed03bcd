import type { TaskStatus } from '../core/types.js';
import type { WorkflowRecord } from '../core/workflow/index.js';
import type { WorkflowRun } from '../core/workflow/run.js';

/** What the workflow calls of `Baton` answer (definitions and runs). */

/** A task a run made, as a run's listing shows it. */
export interface RunTaskSummary {
  id: number;
  step: string;
  /** The item's position in a `foreach` step (0 otherwise). */
  index: number;
  title: string;
  status: TaskStatus;
  /** Failed attempts so far. */
  attempts: number;
  /** A `workflow` step's task stands for a sub-run: that run's id. */
  run?: number;
}

/** A run with the tasks it made. */
export interface RunDetail extends WorkflowRun {
  tasks: RunTaskSummary[];
}

export interface WorkflowAdded {
  workflow: WorkflowRecord;
  /** False when the latest version already had this definition (nothing was written). */
  created: boolean;
}

/** A registered workflow, as listed. */
export interface WorkflowSummary {
  name: string;
  /** The latest version. */
  version: number;
  description: string | null;
  steps: number;
  triggers: number;
  /** When a cron trigger starts the next run (the earliest of them), or null. */
  nextRunAt: string | null;
  /** The last run a trigger started, and when. */
  lastTriggeredRun: number | null;
  lastTriggeredAt: string | null;
  createdAt: string;
  createdBy: string | null;
}
