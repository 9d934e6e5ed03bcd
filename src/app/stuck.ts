import type { Resource } from '../core/resources.js';
import type { Task, WorkerView } from '../core/types.js';
import { diagnoseStuck, type StuckReport, type Waiting, whyWaiting } from '../core/waiting.js';
import type { Store } from '../store/store.js';

/** Open tasks read per page, and at most, to say what is stuck (beyond: the report says so). */
const PAGE = 1_000;
const MAX_EXAMINED = 10_000;

/** Queued and reserved tasks nobody is taking, and why: the `stuck` section of `status`. */
export async function stuckWork(store: Store, workers: readonly WorkerView[], now: number): Promise<StuckReport> {
  const tasks: Task[] = [];
  const resources = await resourceMap(store);
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listTasks({ status: ['queued', 'assigned'], afterId, limit: PAGE });
    tasks.push(...page);
    if (page.length < PAGE) return diagnoseStuck(tasks, workers, now, true, resources);
    if (tasks.length >= MAX_EXAMINED) return diagnoseStuck(tasks, workers, now, false, resources);
    afterId = page.at(-1)?.id;
  }
}

/** Why one task is not being taken (`showTask`), by the workers as they are now. */
export async function waitingOf(
  store: Store,
  workers: () => Promise<WorkerView[]>,
  task: Task,
  blockedBy: readonly { id: number }[],
): Promise<Waiting | null> {
  if (!['queued', 'assigned', 'blocked'].includes(task.status)) return null;
  const [all, now, resources, teams] = await Promise.all([
    workers(),
    store.now(),
    task.resources.length > 0 ? resourceMap(store) : new Map<string, Resource>(),
    task.team !== null ? store.listTeams() : [],
  ]);
  // A team's task waits for its members only.
  const members = teams.find((t) => t.name === task.team)?.members;
  const list = members ? all.filter((w) => members.includes(w.id)) : all;
  const waiting = whyWaiting(
    task,
    list,
    now,
    blockedBy.map((b) => b.id),
    resources,
  );
  const forMembers = task.team !== null && (waiting?.reason === 'no_online_worker' || waiting?.reason === 'no_capable_worker');
  return forMembers && waiting
    ? { ...waiting, message: `${waiting.message} (only members of team ${task.team} may claim it)` }
    : waiting;
}

/** The resources as they stand, by name. */
async function resourceMap(store: Store): Promise<Map<string, Resource>> {
  return new Map((await store.listResources()).map((r) => [r.name, r]));
}
