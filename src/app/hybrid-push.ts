import type { Policy } from '../core/policy.js';
import { type PushCandidate, pickWorker, statsByWorker } from '../core/push.js';
import { claimOnly } from '../core/teams.js';
import type { Task, WorkerView } from '../core/types.js';
import type { PushView, Store } from '../store/store.js';
import type { WriteEffects } from './task-writer.js';

/** How many recently finished tasks feed the success-rate and speed statistics. */
export const HISTORY_WINDOW = 500;

/**
 * The worker a critical task goes to, from a view read in the transaction that made it ready:
 * online (active, seen within the heartbeat timeout at `now`), capable, with a free slot — what it
 * holds counts leases and reservations it has not claimed yet. Null when nobody can take it now.
 */
export function pushTarget(view: PushView, task: Task, now: number, policy: Policy): string | null {
  const stats = statsByWorker(view.finished, task.capabilities);
  const candidates: PushCandidate[] = view.workers.map((w) => ({
    id: w.id,
    capabilities: w.capabilities,
    online: w.state === 'active' && now - Date.parse(w.lastSeenAt) <= policy.heartbeatTimeoutSeconds * 1000,
    load: view.held.get(w.id) ?? 0,
    concurrency: w.concurrency,
    stats: stats.get(w.id) ?? { completed: 0, failed: 0, meanSeconds: null },
  }));
  return pickWorker(task.capabilities, candidates)?.id ?? null;
}

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
  const critical = ready.filter((t) => t.priority === 'critical' && t.reservedFor === null && !claimOnly(t));
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
      // Only a task still unreserved: another process may have pushed it meanwhile.
      const current = await ctx.store.getTask(task.id);
      if (current?.reservedFor !== null || current.status !== 'queued') continue;
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

/**
 * Runs hybrid pushes after the commits that call for them. One instance per store, shared by
 * every caller on purpose: concurrent requests that each made a critical task ready are served
 * by one run, and requests arriving while a run reads the queue wait for the one after it (their
 * task may have committed after that read).
 */
export class CriticalPush {
  private running: Promise<Task[]> | null = null;
  private following: Promise<Task[]> | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly context: () => PushContext,
  ) {}

  /** Runs the push `effects` call for; a task `result` comes back as it is after the push. */
  async after<T>(result: T, effects: WriteEffects): Promise<T> {
    if (!this.enabled || !effects.criticalReady) return result;
    const pushed = await this.request();
    const id = (result as { id?: unknown } | null)?.id;
    return (pushed.find((p) => p.id === id) ?? result) as T;
  }

  private request(): Promise<Task[]> {
    if (!this.running) {
      this.running = pushCriticalTasks(this.context()).finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.following ??= this.running
      .catch(() => [])
      .then(() => {
        this.following = null;
        return this.request();
      });
    return this.following;
  }
}
