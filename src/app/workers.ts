import type { Policy } from '../core/policy.js';
import type { Worker, WorkerView } from '../core/types.js';

/**
 * Health of each worker: offline once it said goodbye or stayed silent longer than the heartbeat
 * timeout; otherwise busy while it holds a lease, idle when it does not.
 */
export function workerViews(workers: Worker[], leases: Map<string, number[]>, now: number, policy: Policy): WorkerView[] {
  return workers.map((w) => {
    const currentTasks = leases.get(w.id) ?? [];
    const silentMs = now - Date.parse(w.lastSeenAt);
    const online = w.state === 'active' && silentMs <= policy.heartbeatTimeoutSeconds * 1000;
    const health = !online ? 'offline' : currentTasks.length > 0 ? 'busy' : 'idle';
    return { ...w, online, health, currentTasks };
  });
}
