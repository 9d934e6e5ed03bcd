import { defined, median, runMs } from './analytics.js';
import type { Priority, Task, TaskStatus, WorkerView } from './types.js';

/** One worker's page: what it holds, what it finished lately, how often it succeeded. */

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

/** A worker's record over the finished tasks it held last: how many completed, how many failed. */
export function workerRecord(finished: readonly Task[]): {
  completed: number;
  failed: number;
  successRate: number | null;
  medianRunSeconds: number | null;
} {
  const failed = finished.filter((t) => t.status === 'failed').length;
  const all = finished.length;
  return {
    completed: all - failed,
    failed,
    successRate: all === 0 ? null : Math.round(((all - failed) / all) * 1000) / 1000,
    medianRunSeconds: median(defined(finished.map(runMs))),
  };
}
