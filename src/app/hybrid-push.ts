import { type PushCandidate, pickWorker, statsByWorker } from '../core/push.js';
import type { Task, WorkerView } from '../core/types.js';
import type { Store } from '../store/store.js';

/** How many recently finished tasks feed the success-rate and speed statistics. */
const HISTORY_WINDOW = 500;

export interface PushContext {
  store: Store;
  listWorkers(): Promise<WorkerView[]>;
  /** Reserves the task for the worker (the `assign` use case). */
  assign(taskId: number, workerId: string): Promise<Task>;
}

/**
 * Hybrid assignment: reserves every ready, unreserved `critical` task for the best-fitting idle
 * worker (core/push.ts). Tasks no worker can take now stay in the queue for whoever pulls first.
 * Returns the tasks that were pushed.
 */
export async function pushCriticalTasks(ctx: PushContext): Promise<Task[]> {
  const ready = await ctx.store.listTasks({ ready: true, status: ['queued'], limit: 50 });
  const critical = ready.filter((t) => t.priority === 'critical' && t.reservedFor === null);
  if (critical.length === 0) return [];
  const [workers, finished] = await Promise.all([ctx.listWorkers(), recentFinished(ctx.store)]);
  const load = new Map(workers.map((w) => [w.id, w.currentTasks.length]));
  const pushed: Task[] = [];
  for (const task of critical) {
    const stats = statsByWorker(finished, task.capabilities);
    const candidates: PushCandidate[] = workers.map((w) => ({
      id: w.id,
      capabilities: w.capabilities,
      online: w.online,
      load: load.get(w.id) ?? 0,
      concurrency: w.concurrency,
      stats: stats.get(w.id) ?? { completed: 0, failed: 0, meanSeconds: null },
    }));
    const best = pickWorker(task.capabilities, candidates);
    if (!best) continue;
    try {
      pushed.push(await ctx.assign(task.id, best.id));
      load.set(best.id, (load.get(best.id) ?? 0) + 1);
    } catch {
      // Claimed or changed meanwhile: a worker already has it, which is what pushing wanted.
    }
  }
  return pushed;
}

async function recentFinished(store: Store): Promise<Task[]> {
  const query = { status: ['completed', 'failed'] as const };
  const total = await store.countTasks(query);
  return store.listTasks({ ...query, limit: HISTORY_WINDOW, offset: Math.max(0, total - HISTORY_WINDOW) });
}
