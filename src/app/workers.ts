import type { Policy } from '../core/policy.js';
import type { Worker, WorkerView } from '../core/types.js';

/**
 * Health of each worker: offline once it said goodbye or stayed silent longer than the heartbeat
 * timeout; otherwise busy while it holds a lease, idle when it does not.
 */
/**
 * The workers a listing shows: online ones first, then offline ones, most recently seen first —
 * except those offline for longer than `workers.forgetAfter`, which are no longer listed.
 */
export function listedWorkers(views: WorkerView[], now: number, policy: Policy): WorkerView[] {
  const forgetMs = policy.forgetWorkersAfterSeconds * 1000;
  const seen = (w: WorkerView) => Date.parse(w.lastSeenAt);
  const online = views.filter((w) => w.online);
  const offline = views.filter((w) => !w.online && now - seen(w) <= forgetMs).sort((a, b) => seen(b) - seen(a));
  return [...online, ...offline];
}

export function workerViews(workers: Worker[], leases: Map<string, number[]>, now: number, policy: Policy): WorkerView[] {
  return workers.map((w) => {
    const currentTasks = leases.get(w.id) ?? [];
    const silentMs = now - Date.parse(w.lastSeenAt);
    const online = w.state === 'active' && silentMs <= policy.heartbeatTimeoutSeconds * 1000;
    const health = !online ? 'offline' : currentTasks.length > 0 ? 'busy' : 'idle';
    return { ...w, online, health, currentTasks };
  });
}
