import type { Task, WorkerView } from '../api/types';
import { COMPLEXITIES } from '../api/types';
import { duration } from '../lib/format';
import { api } from '../lib/session';

// One page of the API (at most 1,000 tasks): the newest finished tasks are a fair sample.
const SAMPLE = 1000;

export interface Analytics {
  x: number[];
  completed: number[];
  failed: number[];
  failureRate: (number | null)[];
  /** Median wait from creation to first claim per bucket, in seconds. */
  assignMedianSec: (number | null)[];
  bucketMinutes: number;
  byComplexity: { label: string; value: number; text: string }[];
  utilisation: { label: string; value: number; text: string }[];
  totals: { completed: number; failed: number; medianAssignMs: number | null; sample: number };
}

async function newest(status: 'completed' | 'failed'): Promise<Task[]> {
  const head = await api.listTasks({ status: [status], limit: 1 });
  if (head.total <= 1) return head.tasks;
  return (await api.listTasks({ status: [status], limit: SAMPLE, offset: Math.max(0, head.total - SAMPLE) })).tasks;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function pct(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

/** Bucket width for a window: fine for a short history, hourly for a day. */
function bucketFor(spanMs: number): number {
  const m = spanMs / 60_000;
  return m <= 60 ? 1 : m <= 360 ? 5 : m <= 1440 ? 30 : 60;
}

/**
 * Metrics computed from the newest finished tasks: what happened when, how long waiting and
 * running took, and who did the work. Bounded samples keep the page fast on a large store.
 */
export async function loadAnalytics(): Promise<Analytics> {
  const [done, failed, workers] = await Promise.all([newest('completed'), newest('failed'), api.workers()]);
  const now = Date.now();
  const finishedAt = (t: Task) => (t.status === 'completed' ? ms(t.completedAt) : ms(t.updatedAt));
  const times = [...done, ...failed].map(finishedAt).filter(Number.isFinite);
  const from = Math.max(Math.min(now - 3_600_000, ...times), now - 24 * 3_600_000);
  const bucketMinutes = bucketFor(now - from);
  const size = bucketMinutes * 60_000;
  const start = Math.floor(from / size) * size;
  const n = Math.max(1, Math.ceil((now - start) / size));
  const x = Array.from({ length: n }, (_, i) => (start + i * size) / 1000);
  const completed = new Array<number>(n).fill(0);
  const failedN = new Array<number>(n).fill(0);
  const waits: number[][] = Array.from({ length: n }, () => []);
  const slot = (t: number) => Math.floor((t - start) / size);
  for (const t of done) {
    const i = slot(finishedAt(t));
    if (i >= 0 && i < n) completed[i] = (completed[i] ?? 0) + 1;
  }
  for (const t of failed) {
    const i = slot(finishedAt(t));
    if (i >= 0 && i < n) failedN[i] = (failedN[i] ?? 0) + 1;
  }
  const allWaits: number[] = [];
  for (const t of [...done, ...failed]) {
    const wait = ms(t.startedAt) - ms(t.createdAt);
    if (!Number.isFinite(wait) || wait < 0) continue;
    allWaits.push(wait);
    const i = slot(ms(t.startedAt));
    if (i >= 0 && i < n) waits[i]?.push(wait / 1000);
  }
  return {
    x,
    completed,
    failed: failedN,
    failureRate: completed.map((c, i) => {
      const f = failedN[i] ?? 0;
      return c + f ? Math.round((f / (c + f)) * 1000) / 10 : null;
    }),
    assignMedianSec: waits.map((w) => {
      const m = median(w);
      return m === null ? null : Math.round(m * 100) / 100;
    }),
    bucketMinutes,
    byComplexity: completionByComplexity(done),
    utilisation: utilisation(done, workers, now - start),
    totals: { completed: done.length, failed: failed.length, medianAssignMs: median(allWaits), sample: SAMPLE },
  };
}

function completionByComplexity(done: Task[]) {
  return COMPLEXITIES.map((c) => {
    const runs = done
      .filter((t) => t.complexity === c)
      .map((t) => ms(t.completedAt) - ms(t.startedAt))
      .filter((v) => Number.isFinite(v) && v >= 0);
    const med = median(runs);
    const p90 = pct(runs, 90);
    return {
      label: c,
      value: med ?? 0,
      text: med === null ? 'no tasks' : `median ${duration(med)}, p90 ${duration(p90 ?? med)} (${runs.length})`,
    };
  });
}

/** Share of the window each worker spent running tasks (concurrency counts as capacity). */
function utilisation(done: Task[], workers: WorkerView[], windowMs: number) {
  const busy = new Map<string, number>();
  const since = Date.now() - windowMs;
  for (const t of done) {
    if (!t.assignee || !t.startedAt || !t.completedAt) continue;
    const startMs = Math.max(ms(t.startedAt), since);
    const end = ms(t.completedAt);
    if (end > startMs) busy.set(t.assignee, (busy.get(t.assignee) ?? 0) + (end - startMs));
  }
  const ids = new Set([...workers.map((w) => w.id), ...busy.keys()]);
  return [...ids]
    .map((id) => {
      const w = workers.find((x) => x.id === id);
      const share = Math.min(1, (busy.get(id) ?? 0) / (windowMs * (w?.concurrency ?? 1)));
      const now = w ? ` · now ${w.health}` : '';
      return { label: w?.name ?? id, value: share * 100, text: `${Math.round(share * 100)}%${now}` };
    })
    .sort((a, b) => b.value - a.value)
    .slice(0, 20);
}
