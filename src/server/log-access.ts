import type { Baton } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import type { Task } from '../core/types.js';
import type { Principal } from './auth.js';

/**
 * Whether the caller may read a task's attempt logs. A command's output may hold what its task
 * handled — tokens it printed, data it read — so by default (`logs.readers: workers`) only admins
 * and the workers that ran the task read it: any worker that claimed it, or holds it now. With
 * `logs.readers: all`, any key may, as for the rest of a task.
 */
export async function assertMayReadLogs(baton: Baton, principal: Principal, task: Task): Promise<void> {
  if (await mayReadLogs(baton, principal, task)) return;
  throw new BatonError(
    'forbidden',
    `task ${task.id}: its attempt logs are readable by admin keys and the workers that ran it (logs.readers in the config)`,
    { id: task.id, role: principal.role },
  );
}

/** Whether the caller may read the task's attempt logs (see `assertMayReadLogs`). */
export async function mayReadLogs(baton: Baton, principal: Principal, task: Task): Promise<boolean> {
  if (principal.role === 'admin') return true;
  const { policy } = await baton.describe();
  if ((policy.logReaders ?? DEFAULT_POLICY.logReaders) === 'all') return true;
  const workerId = principal.role === 'worker' ? principal.workerId : null;
  return workerId !== null && (await ranTask(baton, task, workerId));
}

async function ranTask(baton: Baton, task: Task, workerId: string): Promise<boolean> {
  if (task.lease?.owner === workerId || task.assignee === workerId) return true;
  const history = await baton.events({ taskId: task.id });
  return history.some((e) => e.type === 'claimed' && e.workerId === workerId);
}
