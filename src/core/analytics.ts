import type { Task, WorkerView } from './types.js';

/**
 * Analytics over a time range: what finished when, how long it waited and ran, and how that
 * splits by capability, tag, complexity and worker. Pure: the app reads the tasks, this counts.
 */

export const ANALYTICS_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type AnalyticsRange = (typeof ANALYTICS_RANGES)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Each range's span and bucket width: about 24–30 buckets, so bars stay readable at any width. */
export const RANGE_SPANS: Record<AnalyticsRange, { spanMs: number; bucketMs: number }> = {
  '1h': { spanMs: HOUR, bucketMs: 2 * MINUTE },
  '24h': { spanMs: DAY, bucketMs: HOUR },
  '7d': { spanMs: 7 * DAY, bucketMs: 6 * HOUR },
  '30d': { spanMs: 30 * DAY, bucketMs: DAY },
};

export interface AnalyticsBucket {
  /** Start of the bucket, ISO-8601. */
  at: string;
  completed: number;
  failed: number;
  /** Median wait from ready to the start of the last attempt, of the tasks finished in this bucket. */
  medianWaitSeconds: number | null;
  medianRunSeconds: number | null;
}

/** Tasks finished in the range that share one capability, tag, complexity or type. */
export interface AnalyticsGroup {
  key: string;
  completed: number;
  failed: number;
  /** Share of them that failed, 0–1. */
  failureRate: number | null;
  medianRunSeconds: number | null;
}

export interface WorkerUse {
  workerId: string;
  completed: number;
  failed: number;
  /** Time spent running tasks inside the range (finished and still running ones). */
  busySeconds: number;
  /** `busySeconds` over the range times the worker's concurrency (null for a worker not registered). */
  utilisation: number | null;
}

/** A top-level task with work finished in the range under it: one whose burndown is worth a look. */
export interface EpicRef {
  id: number;
  title: string;
  status: Task['status'];
  /** Tasks under it finished in the range. */
  finished: number;
}

export interface Analytics {
  range: AnalyticsRange;
  from: string;
  to: string;
  bucketSeconds: number;
  buckets: AnalyticsBucket[];
  totals: {
    completed: number;
    failed: number;
    failureRate: number | null;
    medianWaitSeconds: number | null;
    medianRunSeconds: number | null;
    p90RunSeconds: number | null;
  };
  byCapability: AnalyticsGroup[];
  byTag: AnalyticsGroup[];
  byComplexity: AnalyticsGroup[];
  byWorker: WorkerUse[];
  epics: EpicRef[];
  /** How many finished tasks were read, the most that are, and whether that was all of the range. */
  sample: { tasks: number; limit: number; complete: boolean };
}

/** When a finished task finished: its completion, or its last change for a failed one. */
export function finishedAt(task: Task): number {
  return Date.parse(task.completedAt ?? task.updatedAt);
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  if (q === 0.5 && sorted.length % 2 === 0) {
    const m = sorted.length / 2;
    return ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Time the last attempt ran, in ms, or null when it never started. */
export function runMs(task: Task): number | null {
  if (!task.startedAt) return null;
  const ms = finishedAt(task) - Date.parse(task.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** Time from ready (or created) to the start of the last attempt, in ms. */
export function waitMs(task: Task): number | null {
  if (!task.startedAt) return null;
  const ms = Date.parse(task.startedAt) - Date.parse(task.readyAt ?? task.createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export const median = (ms: readonly number[]) => {
  const m = quantile(ms, 0.5);
  return m === null ? null : seconds(m);
};
export const defined = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
const rate = (failed: number, all: number) => (all === 0 ? null : Math.round((failed / all) * 1000) / 1000);

/** Completed and failed tasks grouped by each key a task has (a task with two tags counts in both). */
export function groupBy(finished: readonly Task[], keys: (t: Task) => readonly string[], limit = 20): AnalyticsGroup[] {
  const groups = new Map<string, Task[]>();
  for (const t of finished) for (const k of keys(t)) groups.set(k, [...(groups.get(k) ?? []), t]);
  return [...groups]
    .map(([key, tasks]) => {
      const failed = tasks.filter((t) => t.status === 'failed').length;
      return {
        key,
        completed: tasks.length - failed,
        failed,
        failureRate: rate(failed, tasks.length),
        medianRunSeconds: median(defined(tasks.map(runMs))),
      };
    })
    .sort((a, b) => b.completed + b.failed - (a.completed + a.failed) || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export interface AnalyticsInput {
  range: AnalyticsRange;
  now: number;
  /** Tasks completed or failed, at least those that finished in the range (others are ignored). */
  finished: readonly Task[];
  /** Tasks executing now: their time so far counts as busy. */
  running: readonly Task[];
  workers: readonly WorkerView[];
  epics: EpicRef[];
  sample: Analytics['sample'];
}

export function analyticsOf(input: AnalyticsInput): Analytics {
  const { spanMs, bucketMs } = RANGE_SPANS[input.range];
  const to = input.now;
  const from = to - spanMs;
  const finished = input.finished.filter((t) => finishedAt(t) > from && finishedAt(t) <= to);
  // Buckets align to their width, so a reload a minute later keeps the same bars.
  const first = Math.floor(from / bucketMs);
  const n = Math.floor(to / bucketMs) - first + 1;
  const inBucket: Task[][] = Array.from({ length: n }, () => []);
  for (const t of finished) inBucket[Math.floor(finishedAt(t) / bucketMs) - first]?.push(t);
  const buckets = inBucket.map((tasks, i) => {
    const failed = tasks.filter((t) => t.status === 'failed').length;
    return {
      at: new Date((first + i) * bucketMs).toISOString(),
      completed: tasks.length - failed,
      failed,
      medianWaitSeconds: median(defined(tasks.map(waitMs))),
      medianRunSeconds: median(defined(tasks.map(runMs))),
    };
  });
  const failed = finished.filter((t) => t.status === 'failed').length;
  const runs = defined(finished.map(runMs));
  const p90 = quantile(runs, 0.9);
  return {
    range: input.range,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucketSeconds: bucketMs / 1000,
    buckets,
    totals: {
      completed: finished.length - failed,
      failed,
      failureRate: rate(failed, finished.length),
      medianWaitSeconds: median(defined(finished.map(waitMs))),
      medianRunSeconds: median(runs),
      p90RunSeconds: p90 === null ? null : seconds(p90),
    },
    byCapability: groupBy(finished, (t) => (t.capabilities.length ? t.capabilities : ['(any)'])),
    byTag: groupBy(finished, (t) => (t.tags.length ? t.tags : ['(untagged)'])),
    byComplexity: groupBy(finished, (t) => [t.complexity]),
    byWorker: workerUse(finished, input, from),
    epics: input.epics,
    sample: input.sample,
  };
}

function workerUse(finished: readonly Task[], input: AnalyticsInput, from: number): WorkerUse[] {
  const use = new Map<string, { completed: number; failed: number; busyMs: number }>();
  const of = (id: string) => use.get(id) ?? (use.set(id, { completed: 0, failed: 0, busyMs: 0 }).get(id) as never);
  const busy = (t: Task, end: number) => {
    if (!t.assignee || !t.startedAt) return;
    const ms = end - Math.max(from, Date.parse(t.startedAt));
    if (ms > 0) of(t.assignee).busyMs += ms;
  };
  for (const t of finished) {
    if (!t.assignee) continue;
    of(t.assignee)[t.status === 'failed' ? 'failed' : 'completed']++;
    busy(t, finishedAt(t));
  }
  for (const t of input.running) busy(t, input.now);
  for (const w of input.workers) if (w.online) of(w.id);
  const span = input.now - from;
  return [...use]
    .map(([workerId, u]) => {
      const worker = input.workers.find((w) => w.id === workerId);
      return {
        workerId,
        completed: u.completed,
        failed: u.failed,
        busySeconds: seconds(u.busyMs),
        utilisation: worker ? Math.min(1, Math.round((u.busyMs / (span * worker.concurrency)) * 1000) / 1000) : null,
      };
    })
    .sort((a, b) => b.busySeconds - a.busySeconds || a.workerId.localeCompare(b.workerId))
    .slice(0, 50);
}
