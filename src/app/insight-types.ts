import type { Priority, TaskStatus, WorkerView } from '../core/types.js';

export type { Analytics, AnalyticsBucket, AnalyticsGroup, AnalyticsRange, EpicRef, WorkerUse } from '../core/analytics.js';
export type { Burndown, BurndownPoint } from '../core/burndown.js';

/** A task in a short listing (a worker's page): what it is, how it went, how long it ran. */
export interface TaskBrief {
  id: number;
  title: string;
  status: TaskStatus;
  priority: Priority;
  progress: number;
  attempts: number;
  startedAt: string | null;
  /** When it completed or failed; null while open. */
  finishedAt: string | null;
  /** How long its last attempt ran, for a finished task. */
  runSeconds: number | null;
  lastError: string | null;
}

/** One worker as `showWorker` answers. */
export interface WorkerDetail {
  worker: WorkerView;
  /** Tasks it holds or is reserved for now. */
  current: TaskBrief[];
  /** Its newest finished tasks (completed or failed), newest first; at most 20. */
  recent: TaskBrief[];
  /** Over its newest `sample` finished tasks (at most `limit`). */
  record: {
    completed: number;
    failed: number;
    successRate: number | null;
    medianRunSeconds: number | null;
    sample: number;
    limit: number;
  };
}
