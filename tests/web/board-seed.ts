import { openBaton } from '../../src/app/open.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import type { Task } from '../../src/core/types.js';

/**
 * A board as a team sees it, written in process before `baton serve` starts: `queued` routine
 * tasks loaded through the public import (one transaction, not 10,000 requests), then a few tasks
 * driven through their real lifecycle by LocalBaton — failed with an error, blocked by another,
 * completed, paused, and an epic broken into subtasks.
 */
export interface SeededBoard {
  /** A queued task last in claim order: on no first page. */
  needle: Task;
  failed: Task;
  blocker: Task;
  blocked: Task;
  completed: Task;
  paused: Task;
  epic: Task;
}

export const NEEDLE_TITLE = 'Calibrate the zeppelin gauge';
export const FAILED_ERROR = 'disk full: /var/tmp has 0 bytes left while writing export-2024-11.csv';

export async function seedBoard(db: string, queued: number): Promise<SeededBoard> {
  const baton = await openBaton({ db, actor: 'seed' });
  try {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const ctx = { now, policy: DEFAULT_POLICY, actor: 'seed', complexity: 'simple' as const, depsOpen: false };
    const tasks = Array.from({ length: queued }, (_, i) => {
      const id = i + 1;
      // The needle: low priority, so it is claimed last, far past the first page of Queued.
      const input = id === queued ? { title: NEEDLE_TITLE, priority: 'low' as const } : { title: `Routine check ${id}` };
      return { ...newTaskRecord(input, ctx), id, updatedAt: at, version: 1 };
    });
    await baton.importData({
      format: 'baton-export',
      formatVersion: 1,
      schemaVersion: 1,
      exportedAt: at,
      tasks,
      events: [],
      workers: [],
    });
    const needle = tasks.at(-1) as unknown as Task;

    const add = (title: string, extra: Record<string, unknown> = {}) =>
      baton.createTask({ title, noBreakdown: true, priority: 'critical', ...extra });
    // Critical tasks come first in claim order, so the seeding worker takes exactly the one just made.
    const run = async (title: string, end: 'fail' | 'complete') => {
      const task = await add(title, { maxRetries: 0 });
      const claimed = await baton.claimTask(task.id, { workerId: 'seed_worker' });
      const lease = { workerId: 'seed_worker', token: claimed.lease?.token };
      return end === 'fail' ? baton.fail(task.id, { ...lease, error: FAILED_ERROR }) : baton.complete(task.id, lease);
    };
    const failed = await run('Nightly export to the archive', 'fail');
    const completed = await run('Rotate the signing keys', 'complete');
    const blocker = await add('Provision the staging database', { priority: 'normal' });
    const blocked = await add('Migrate the billing schema', { priority: 'normal', dependsOn: [blocker.id] });
    const paused = await baton.pauseTask((await add('Tune the cache eviction', { priority: 'normal' })).id);
    const epic = await baton.createTask({
      title: 'Build a REST API for billing',
      description: 'Endpoints for invoices, payments and refunds',
      estimate: '5d',
    });
    return { needle, failed, blocker, blocked, completed, paused, epic: await baton.getTask(epic.id) };
  } finally {
    await baton.close();
  }
}
