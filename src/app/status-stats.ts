import type { Policy } from '../core/policy.js';
import { redactText } from '../core/redact.js';
import { PRIORITIES, type Priority, type TaskEvent, type WorkerView } from '../core/types.js';
import type { ReadyCounts, Store } from '../store/store.js';
import type { SystemStatus } from './baton.js';
import { stuckWork } from './stuck.js';

const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Events read to measure the last hour: beyond this, the newest ones stand for the whole hour. */
const EVENT_SAMPLE = 5_000;
/** Claims whose wait is measured (each may cost a read of its task). */
const CLAIM_SAMPLE = 200;

/** The numbers `baton status`, `/api/v1/status` and the dashboard agree on. */
export interface ServiceStats {
  /** Seconds from ready to claimed over recent claims (last hour, newest first, sampled). */
  timeToAssignment: { samples: number; avgSeconds: number | null; p50Seconds: number | null; p95Seconds: number | null };
  /** Of the tasks that finished in the last hour (sampled), the share that completed (0–1). */
  completionRate: number | null;
  /** Busy online workers over online workers (0–1). */
  utilisation: number | null;
  /** Ready tasks waiting longer than their priority's target, now. */
  sla: { targetSeconds: Record<Priority, number | null>; breaches: Record<Priority, number>; totalBreaches: number };
}

/** One function for every front end, so the CLI, the API and the metrics never disagree. */
export async function serviceStats(input: {
  store: Store;
  policy: Policy;
  now: number;
  /** Ready tasks per priority and SLA breaches, counted by the store. */
  ready: ReadyCounts;
  workers: readonly WorkerView[];
}): Promise<ServiceStats> {
  const { store, policy, now } = input;
  const recent = await recentEvents(store, now - HOUR_MS);
  const online = input.workers.filter((w) => w.online);
  return {
    timeToAssignment: await assignmentTimes(store, recent),
    completionRate: completionRate(recent),
    utilisation: online.length === 0 ? null : online.filter((w) => w.health === 'busy').length / online.length,
    sla: { targetSeconds: { ...policy.slaSeconds }, breaches: input.ready.breaches, totalBreaches: sum(input.ready.breaches) },
  };
}

/** When a ready task of each priority starts to breach its SLA target (ms), for the store's count. */
export function breachCutoffs(policy: Policy, now: number): Record<Priority, number | null> {
  return Object.fromEntries(
    PRIORITIES.map((p) => {
      const target = policy.slaSeconds[p];
      return [p, target === null ? null : now - target * 1000];
    }),
  ) as Record<Priority, number | null>;
}

const sum = (counts: Record<Priority, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function completionRate(events: readonly TaskEvent[]): number | null {
  let completed = 0;
  let failed = 0;
  for (const e of events) {
    const after = e.changes.status?.[1];
    if (after === 'completed') completed++;
    else if (after === 'failed') failed++;
  }
  return completed + failed === 0 ? null : completed / (completed + failed);
}

async function assignmentTimes(store: Store, events: readonly TaskEvent[]): Promise<ServiceStats['timeToAssignment']> {
  // A task's readyAt is kept while it runs, so the task as it is now tells when its claim's wait began.
  const claims = events.filter((e) => e.type === 'claimed' && e.taskId !== null).slice(-CLAIM_SAMPLE);
  const tasks = await store.getTasks([...new Set(claims.map((c) => c.taskId as number))]);
  const readyAt = new Map(tasks.filter((t) => t.readyAt !== null).map((t) => [t.id, Date.parse(t.readyAt as string)]));
  const waits: number[] = [];
  for (const c of claims) {
    const from = readyAt.get(c.taskId as number);
    const at = Date.parse(c.at);
    if (from !== undefined && from <= at) waits.push((at - from) / 1000);
  }
  if (waits.length === 0) return { samples: 0, avgSeconds: null, p50Seconds: null, p95Seconds: null };
  waits.sort((a, b) => a - b);
  const pick = (q: number) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))] as number;
  return {
    samples: waits.length,
    avgSeconds: waits.reduce((a, b) => a + b, 0) / waits.length,
    p50Seconds: pick(0.5),
    p95Seconds: pick(0.95),
  };
}

/**
 * The events since `sinceMs`, at most the newest EVENT_SAMPLE of them. Event ids grow with time,
 * so the first id of the window is found by bisecting ids (a few indexed reads), not by a scan.
 */
async function recentEvents(store: Store, sinceMs: number): Promise<TaskEvent[]> {
  const after = async (id: number) => (await store.events({ afterId: id, limit: 1 }))[0];
  let hi = 1;
  while (await after(hi)) hi *= 2;
  // Smallest id with no event after it: the newest event id.
  const newest = await bisect(0, hi, async (id) => !(await after(id)));
  const floor = Math.max(0, newest - EVENT_SAMPLE);
  const start = await bisect(floor, newest, async (id) => {
    const e = await after(id);
    return !e || Date.parse(e.at) >= sinceMs;
  });
  return store.events({ afterId: start, limit: EVENT_SAMPLE });
}

/** Smallest x in [lo, hi] with `test(x)`, for a test that is false then true. */
async function bisect(lo: number, hi: number, test: (x: number) => Promise<boolean>): Promise<number> {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** What `baton status` and `/api/v1/status` report; counts come from the store, not from rows. */
export async function systemStatus(input: {
  store: Store;
  policy: Policy;
  workers: () => Promise<WorkerView[]>;
}): Promise<Omit<SystemStatus, 'maintenance' | 'pauses' | 'openAlerts'>> {
  const { store, policy } = input;
  const now = await store.now();
  const [byStatus, viaSubtasks, completedLastHour, workers, ready] = await Promise.all([
    store.countByStatus(),
    store.countTasks({ status: ['executing'], leased: false }),
    store.countCompletedSince(now - 3_600_000),
    input.workers(),
    store.readyCounts(now, breachCutoffs(policy, now)),
  ]);
  const readyByPriority = ready.byPriority;
  const queueDepth = Object.values(readyByPriority).reduce((a, b) => a + b, 0);
  const count = (h: string) => workers.filter((w) => w.health === h).length;
  const [stats, stuck] = await Promise.all([
    serviceStats({ store, policy: policy, now, ready, workers }),
    stuckWork(store, workers, now),
  ]);
  return {
    ...stats,
    store: { kind: store.kind, location: redactText(store.location) },
    tasks: { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, inProgressViaSubtasks: viaSubtasks },
    queueDepth,
    readyByPriority,
    workers: {
      total: workers.length,
      online: workers.filter((w) => w.online).length,
      busy: count('busy'),
      idle: count('idle'),
      offline: count('offline'),
      breakersOpen: workers.filter((w) => w.breaker && w.breaker.mode !== 'closed').length,
    },
    throughput: { completedLastHour },
    stuck,
    at: iso(now),
  };
}
