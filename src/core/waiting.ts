import { AUCTION_HOLDER } from './assignment.js';
import { BatonError } from './errors.js';
import { fullResources, type Resource } from './resources.js';
import type { Task, TaskStatus, WorkerView } from './types.js';

/**
 * Why work is not being taken: the diagnosis behind `baton status` (stuck work), `baton show`
 * (why a task waits) and the refusals of claiming one task by id. Pure: tasks, worker views and
 * the store's clock in, facts out.
 */

/** What a diagnosis needs of a worker. */
export type WorkerFacts = Pick<WorkerView, 'id' | 'capabilities' | 'online'>;

export type WaitingReason =
  | 'blocked'
  | 'backoff'
  | 'scheduled'
  | 'resource_full'
  | 'reserved_offline'
  | 'no_capable_worker'
  | 'no_online_worker'
  | 'in_auction';

/** Why a task that is not finished is not being taken. */
export interface Waiting {
  reason: WaitingReason;
  /** One sentence for people. */
  message: string;
  /** `backoff`/`scheduled`: when it becomes claimable. */
  until?: string;
  /** `reserved_offline`: the worker it is reserved for. */
  worker?: string;
  /** `no_capable_worker`: the capabilities no online worker has (with the others). */
  capabilities?: string[];
  /** `blocked`: the open dependencies. */
  blockedBy?: number[];
  /** `resource_full`: the task's resources that have no free slot. */
  resources?: string[];
}

type TaskFacts = Partial<Pick<Task, 'resources'>> &
  Pick<Task, 'id' | 'status' | 'capabilities' | 'reservedFor' | 'runAfter' | 'attempts' | 'lastError'>;

const WAITING_STATUSES: readonly TaskStatus[] = ['queued', 'assigned', 'blocked'];

/** `#1, #2, …` naming at most 10 tasks, then how many more. */
function idList(ids: readonly number[]): string {
  const shown = ids.slice(0, 10).map((d) => `#${d}`);
  return ids.length > 10 ? `${shown.join(', ')} and ${ids.length - 10} more` : shown.join(', ');
}

const has = (worker: WorkerFacts, capabilities: readonly string[]) => capabilities.every((c) => worker.capabilities.includes(c));

/** A delay after a failed attempt, as opposed to a task scheduled for later. */
const isBackoff = (task: TaskFacts) => task.attempts > 0 && task.lastError !== null;

/**
 * The capabilities of `task` that stop every online worker: those no online worker has at all, or,
 * when each is held by someone but nobody holds them all, those the best-fitting worker lacks.
 */
export function missingCapabilities(task: Pick<Task, 'capabilities'>, online: readonly WorkerFacts[]): string[] {
  const held = new Set(online.flatMap((w) => w.capabilities));
  const nowhere = task.capabilities.filter((c) => !held.has(c));
  if (nowhere.length > 0) return nowhere;
  let best: string[] = [...task.capabilities];
  for (const w of online) {
    const lacks = task.capabilities.filter((c) => !w.capabilities.includes(c));
    if (lacks.length < best.length) best = lacks;
  }
  return best;
}

/**
 * Why `task` is not being taken, or null when nothing holds it (it is not waiting, or an online
 * worker can claim it and it waits its turn). `blockedBy`: its open dependencies, when blocked.
 */
export function whyWaiting(
  task: TaskFacts,
  workers: readonly WorkerFacts[],
  now: number,
  blockedBy: readonly number[] = [],
  resources: ReadonlyMap<string, Resource> = new Map(),
): Waiting | null {
  if (!WAITING_STATUSES.includes(task.status)) return null;
  if (task.status === 'blocked') {
    const ids = [...blockedBy];
    const list = ids.length > 0 ? idList(ids) : 'its dependencies';
    return { reason: 'blocked', message: `blocked by ${list}`, blockedBy: ids };
  }
  if (task.runAfter !== null && Date.parse(task.runAfter) > now) {
    const backoff = isBackoff(task);
    const message = backoff ? `waiting for its retry backoff until ${task.runAfter}` : `scheduled for ${task.runAfter}`;
    return { reason: backoff ? 'backoff' : 'scheduled', message, until: task.runAfter };
  }
  const full = fullResources(task.resources ?? [], resources);
  if (full.length > 0) {
    const slots = full.map((n) => `${n} (${resources.get(n)?.holders.length}/${resources.get(n)?.capacity} executing)`);
    return { reason: 'resource_full', message: `waiting for a free slot of ${slots.join(', ')}`, resources: full };
  }
  const online = workers.filter((w) => w.online);
  if (task.status === 'assigned' && task.reservedFor === AUCTION_HOLDER) {
    return { reason: 'in_auction', message: 'being auctioned: capable workers bid until the window closes' };
  }
  if (task.status === 'assigned' && task.reservedFor !== null) {
    const worker = task.reservedFor;
    const holder = online.find((w) => w.id === worker);
    if (!holder) return { reason: 'reserved_offline', message: `reserved for ${worker}, who is offline`, worker };
    if (has(holder, task.capabilities)) return null;
    const lacks = task.capabilities.filter((c) => !holder.capabilities.includes(c));
    return {
      reason: 'no_capable_worker',
      message: `reserved for ${worker}, who lacks ${lacks.join(', ')}`,
      worker,
      capabilities: lacks,
    };
  }
  if (online.length === 0) return { reason: 'no_online_worker', message: 'no worker is online' };
  if (online.some((w) => has(w, task.capabilities))) return null;
  const missing = missingCapabilities(task, online);
  return {
    reason: 'no_capable_worker',
    message: `no online worker has ${missing.join(', ')}`,
    capabilities: missing,
  };
}

/** Work nobody is taking, across the board (part of `status`). */
export interface StuckReport {
  /** Ready tasks no online worker can claim, and how many of them need each missing capability. */
  unclaimable: { tasks: number; capabilities: Record<string, number> };
  /** Ready tasks reserved for a worker that is offline, per worker. */
  reservedOffline: { tasks: number; workers: Record<string, number> };
  /** Tasks waiting for a retry backoff, and when the first of them becomes claimable. */
  backoff: { tasks: number; nextAt: string | null };
  /** Ready tasks waiting for a free slot of a resource, and how many wait for each. */
  resourceFull: { tasks: number; resources: Record<string, number> };
  /** Ready tasks while no worker is online at all. */
  noOnlineWorker: number;
  /** How many open tasks were looked at, and whether that was all of them. */
  examined: number;
  complete: boolean;
  /** The above in sentences (`stuckLines`); empty when nothing is stuck. */
  messages: string[];
}

/** Counts the waiting reasons of queued and reserved tasks (`tasks` may hold any others too). */
export function diagnoseStuck(
  tasks: readonly TaskFacts[],
  workers: readonly WorkerFacts[],
  now: number,
  complete = true,
  resources: ReadonlyMap<string, Resource> = new Map(),
): StuckReport {
  const report: StuckReport = {
    resourceFull: { tasks: 0, resources: {} },
    unclaimable: { tasks: 0, capabilities: {} },
    reservedOffline: { tasks: 0, workers: {} },
    backoff: { tasks: 0, nextAt: null },
    noOnlineWorker: 0,
    examined: 0,
    complete,
    messages: [],
  };
  for (const task of tasks) {
    if (task.status !== 'queued' && task.status !== 'assigned') continue;
    report.examined++;
    const waiting = whyWaiting(task, workers, now, [], resources);
    if (!waiting) continue;
    if (waiting.reason === 'resource_full') {
      report.resourceFull.tasks++;
      const counts = report.resourceFull.resources;
      for (const r of waiting.resources ?? []) counts[r] = (counts[r] ?? 0) + 1;
      continue;
    }
    if (waiting.reason === 'backoff' && waiting.until) {
      report.backoff.tasks++;
      if (report.backoff.nextAt === null || waiting.until < report.backoff.nextAt) report.backoff.nextAt = waiting.until;
    } else if (waiting.reason === 'reserved_offline' && waiting.worker) {
      report.reservedOffline.tasks++;
      report.reservedOffline.workers[waiting.worker] = (report.reservedOffline.workers[waiting.worker] ?? 0) + 1;
    } else if (waiting.reason === 'no_capable_worker') {
      report.unclaimable.tasks++;
      const counts = report.unclaimable.capabilities;
      for (const c of waiting.capabilities ?? []) counts[c] = (counts[c] ?? 0) + 1;
    } else if (waiting.reason === 'no_online_worker') {
      report.noOnlineWorker++;
    }
  }
  report.messages = stuckLines(report);
  return report;
}

const byCount = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ');

const tasksWord = (n: number) => (n === 1 ? '1 ready task' : `${n} ready tasks`);

/** The report as sentences, one per kind of stuck work; empty when nothing is stuck. */
export function stuckLines(report: Omit<StuckReport, 'messages'>): string[] {
  const lines: string[] = [];
  const { unclaimable, reservedOffline, backoff } = report;
  if (report.noOnlineWorker > 0) lines.push(`${tasksWord(report.noOnlineWorker)} but no worker is online`);
  if (unclaimable.tasks > 0) {
    const verb = unclaimable.tasks === 1 ? 'needs' : 'need';
    lines.push(`${tasksWord(unclaimable.tasks)} ${verb} capabilities no online worker has: ${byCount(unclaimable.capabilities)}`);
  }
  if (reservedOffline.tasks > 0) {
    const verb = reservedOffline.tasks === 1 ? 'is' : 'are';
    lines.push(`${tasksWord(reservedOffline.tasks)} ${verb} reserved for offline workers: ${byCount(reservedOffline.workers)}`);
  }
  if (report.resourceFull?.tasks > 0) {
    const n = report.resourceFull.tasks;
    const verb = n === 1 ? 'waits' : 'wait';
    lines.push(`${tasksWord(n)} ${verb} for a free slot of a resource: ${byCount(report.resourceFull.resources)}`);
  }
  if (backoff.tasks > 0) {
    const what = backoff.tasks === 1 ? '1 task waits' : `${backoff.tasks} tasks wait`;
    lines.push(`${what} for a retry backoff (the first until ${backoff.nextAt})`);
  }
  if (lines.length > 0 && !report.complete) lines.push(`(of the first ${report.examined} open tasks)`);
  return lines;
}

/**
 * Why `worker` may not claim `task` now, as the coded error a claim of that one task answers, or
 * null when it may. `blockedBy`: the task's open dependencies.
 */
export function claimRefusal(
  task: TaskFacts,
  worker: { id: string; capabilities: readonly string[] },
  now: number,
  blockedBy: readonly number[] = [],
): BatonError | null {
  const id = task.id;
  if (task.status === 'blocked') {
    const list = blockedBy.length > 0 ? idList(blockedBy) : 'its dependencies';
    return new BatonError('task_blocked', `cannot claim task ${id}: it is blocked by ${list}`, { id, blockedBy: [...blockedBy] });
  }
  if (task.status !== 'queued' && task.status !== 'assigned') {
    return new BatonError('illegal_transition', `cannot claim task ${id}: it is ${task.status} (claim needs queued, assigned)`, {
      id,
      status: task.status,
      action: 'claim',
      allowed: ['queued', 'assigned'],
    });
  }
  if (task.status === 'assigned' && task.reservedFor !== null && task.reservedFor !== worker.id) {
    return new BatonError('task_reserved', `cannot claim task ${id}: it is reserved for ${task.reservedFor}`, {
      id,
      reservedFor: task.reservedFor,
    });
  }
  const lacks = task.capabilities.filter((c) => !worker.capabilities.includes(c));
  if (lacks.length > 0) {
    return new BatonError('missing_capabilities', `cannot claim task ${id}: ${worker.id} lacks ${lacks.join(', ')}`, {
      id,
      missing: lacks,
    });
  }
  if (task.runAfter !== null && Date.parse(task.runAfter) > now) {
    const why = isBackoff(task) ? 'its retry backoff runs' : 'it is scheduled';
    return new BatonError('task_not_due', `cannot claim task ${id}: ${why} until ${task.runAfter}`, {
      id,
      runAfter: task.runAfter,
    });
  }
  return null;
}
