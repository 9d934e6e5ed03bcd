import { LIMITS } from '../core/limits.js';
import type { Baton } from './baton.js';

/** The fencing token of every lease `workerId` holds now, by task id: a read, no write. */
export async function standingLeases(baton: Baton, workerId: string): Promise<Map<number, number>> {
  const standing = new Map<number, number>();
  for (let cursor: string | null | undefined; cursor !== null; ) {
    const page = await baton.listTasks({ worker: workerId, status: ['executing'], limit: LIMITS.listLimit, cursor });
    for (const task of page.tasks) if (task.lease?.owner === workerId) standing.set(task.id, task.lease.token);
    cursor = page.next;
  }
  return standing;
}
