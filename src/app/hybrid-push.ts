import { offerFor } from '../core/assignment.js';
import type { Policy } from '../core/policy.js';
import { NO_STATS, type PushCandidate, pickWorker, statsByWorker } from '../core/push.js';
import { claimOnly } from '../core/teams.js';
import type { Task, WorkerView } from '../core/types.js';
import type { PushView, Store } from '../store/store.js';
import type { WriteEffects } from './task-writer.js';

/** How many recently finished tasks feed the success-rate and speed statistics. */
export const HISTORY_WINDOW = 500;

/**
 * Every registered worker as a candidate for `task`, from a view read in a transaction: online
 * (active, seen within the heartbeat timeout at `now`), what it holds (leases and reservations it
 * has not claimed yet), and its record on tasks needing the same capabilities.
 */
export function candidatesOf(view: PushView, task: Task, now: number, policy: Policy): PushCandidate[] {
  const stats = statsByWorker(view.finished, task.capabilities);
  return view.workers.map((w) => ({
    id: w.id,
    capabilities: w.capabilities,
    online: w.state === 'active' && now - Date.parse(w.lastSeenAt) <= policy.heartbeatTimeoutSeconds * 1000,
    load: view.held.get(w.id) ?? 0,
    concurrency: w.concurrency,
    stats: stats.get(w.id) ?? NO_STATS,
  }));
}

/** The worker a task is pushed to (none of `excluded`), or null when nobody can take it now. */
export function pushTarget(
  view: PushView,
  task: Task,
  now: number,
  policy: Policy,
  excluded?: ReadonlySet<string>,
): string | null {
  const candidates = candidatesOf(view, task, now, policy).filter((c) => !excluded?.has(c.id));
  return pickWorker(task.capabilities, candidates)?.id ?? null;
}

export interface PushContext {
  store: Store;
  policy: Policy;
  listWorkers(): Promise<WorkerView[]>;
  /** Offers the task in a transaction of its own if it is still ready and unreserved; the task as it is then. */
  offer(taskId: number): Promise<Task | null>;
}

/**
 * Pushes every ready, unreserved task whose assignment mode wants a push (`push`, or `critical`
 * under `hybrid`) to the best-fitting idle worker, while some worker has a free slot. Tasks no
 * worker can take now stay in the queue for whoever pulls first. Returns the tasks that were pushed.
 */
export async function pushWaitingTasks(ctx: PushContext): Promise<Task[]> {
  // Where only hybrid pushes, only critical tasks can want one: the others are not read.
  const onlyCritical = !pushesAll(ctx.policy);
  const ready = await ctx.store.listTasks({
    ready: true,
    status: ['queued'],
    limit: 100,
    ...(onlyCritical && { priority: ['critical'] as const }),
  });
  // Only a claim checks team membership and swarm siblings: such tasks are never pushed.
  const waiting = ready.filter((t) => t.reservedFor === null && !claimOnly(t) && offerFor(t, ctx.policy) === 'push');
  if (waiting.length === 0) return [];
  let free = freeSlots(await ctx.listWorkers());
  const pushed: Task[] = [];
  // Capability sets nobody could take: a task needing them all (or more) is not tried this round.
  const unplaced: string[][] = [];
  for (const task of waiting) {
    if (free <= 0) break;
    if (unplaced.some((caps) => caps.every((c) => task.capabilities.includes(c)))) continue;
    try {
      // The transaction reads the task again: another process may have pushed or claimed it meanwhile.
      const offered = await ctx.offer(task.id);
      if (offered?.status === 'assigned' && offered.reservedFor !== null) {
        pushed.push(offered);
        free--;
      } else if (offered) {
        unplaced.push(task.capabilities);
      }
    } catch {
      // Claimed or changed meanwhile: a worker already has it, which is what pushing wanted.
    }
  }
  return pushed;
}

/** Whether the store or a queue pushes every task (`push`), not only critical ones (`hybrid`). */
function pushesAll(policy: Policy): boolean {
  return policy.assignment === 'push' || Object.values(policy.queues).some((q) => q.assignment === 'push');
}

/** Free slots of the online workers, all told: no push is tried when there is none. */
function freeSlots(workers: readonly WorkerView[]): number {
  return workers.filter((w) => w.online).reduce((n, w) => n + Math.max(0, w.concurrency - w.currentTasks.length), 0);
}

export async function recentFinished(store: Store): Promise<Task[]> {
  const query = { status: ['completed', 'failed'] as const };
  const total = await store.countTasks(query);
  return store.listTasks({ ...query, limit: HISTORY_WINDOW, offset: Math.max(0, total - HISTORY_WINDOW) });
}

/**
 * Runs pushes after the commits that call for them. One instance per store, shared by
 * every caller on purpose: concurrent requests that each made a critical task ready are served
 * by one run, and requests arriving while a run reads the queue wait for the one after it (their
 * task may have committed after that read).
 */
export class CriticalPush {
  private running: Promise<Task[]> | null = null;
  private following: Promise<Task[]> | null = null;

  constructor(private readonly context: () => PushContext) {}

  /** Runs the push `effects` call for; a task `result` comes back as it is after the push. */
  async after<T>(result: T, effects: WriteEffects): Promise<T> {
    if (!effects.criticalReady) return result;
    const pushed = await this.request();
    const id = (result as { id?: unknown } | null)?.id;
    return (pushed.find((p) => p.id === id) ?? result) as T;
  }

  /** The sweep's push of tasks still waiting for one, when the store or a queue pushes at all. */
  async sweep(): Promise<void> {
    const { policy } = this.context();
    const pushes = (mode: string | null) => mode === 'push' || mode === 'hybrid';
    if (pushes(policy.assignment) || Object.values(policy.queues).some((q) => pushes(q.assignment))) await this.request();
  }

  /** The push running now, if any. */
  inProgress(): Promise<unknown> | null {
    return this.following ?? this.running;
  }

  private request(): Promise<Task[]> {
    if (!this.running) {
      this.running = pushWaitingTasks(this.context()).finally(() => {
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
