/**
 * Push scoring (`push` assignment, and `critical` tasks under `hybrid`): a task is pushed to the
 * best-fitting idle worker the moment it becomes ready, instead of waiting for whoever asks first.
 *
 * Ranking, most important first:
 * 1. capability fit — the worker holds every capability the task needs, and among those the one
 *    with the fewest capabilities the task does not use wins (keep specialists on their work and
 *    generalists free for the rest);
 * 2. current load — fewer held tasks per slot of concurrency;
 * 3. past success rate on tasks with the same capabilities (smoothed, so one lucky run does not
 *    beat a long good record);
 * 4. speed on those tasks — mean seconds per completed task, unknown last;
 * 5. worker id, so the choice is deterministic.
 */

export interface PushCandidate {
  id: string;
  capabilities: readonly string[];
  online: boolean;
  /** Tasks the worker holds now. */
  load: number;
  concurrency: number;
  stats: WorkerStats;
}

export interface WorkerStats {
  completed: number;
  failed: number;
  /** Mean seconds from start to completion, null when nothing completed yet. */
  meanSeconds: number | null;
}

export const NO_STATS: Readonly<WorkerStats> = Object.freeze({ completed: 0, failed: 0, meanSeconds: null });

/** Laplace-smoothed success rate: 0.5 with no history, tending to the observed rate. */
export function successRate(stats: WorkerStats): number {
  return (stats.completed + 1) / (stats.completed + stats.failed + 2);
}

/** Workers that may receive the task now: online, capable, with a free slot. */
export function eligible(taskCapabilities: readonly string[], c: PushCandidate): boolean {
  return c.online && c.load < c.concurrency && taskCapabilities.every((cap) => c.capabilities.includes(cap));
}

/** Orders two eligible candidates for one task: negative when `a` is the better choice. */
export function compareCandidates(taskCapabilities: readonly string[], a: PushCandidate, b: PushCandidate): number {
  const unused = (c: PushCandidate) => c.capabilities.filter((cap) => !taskCapabilities.includes(cap)).length;
  const loadShare = (c: PushCandidate) => c.load / Math.max(1, c.concurrency);
  const speed = (c: PushCandidate) => c.stats.meanSeconds ?? Number.POSITIVE_INFINITY;
  return (
    unused(a) - unused(b) ||
    loadShare(a) - loadShare(b) ||
    successRate(b.stats) - successRate(a.stats) ||
    compareNumbers(speed(a), speed(b)) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** One candidate as scored for one task: each factor of the ranking, and why it is or is not eligible. */
export interface ScoredCandidate {
  id: string;
  /** 1 for the best eligible candidate; null when not eligible. */
  rank: number | null;
  eligible: boolean;
  /** Capabilities the task needs that the worker lacks. */
  missing: string[];
  /** Capabilities the worker has that the task does not use (fewer is a better fit). */
  unused: number;
  load: number;
  concurrency: number;
  /** Held tasks per slot (0–1 while a slot is free). */
  loadShare: number;
  successRate: number;
  meanSeconds: number | null;
  /** The factors in words, most important first. */
  reasons: string[];
}

/**
 * Scores every candidate for a task — the one function behind pushes and `explain-assignment`:
 * eligible ones ranked best first by `compareCandidates`, then the others with why not.
 */
export function scoreCandidates(taskCapabilities: readonly string[], candidates: readonly PushCandidate[]): ScoredCandidate[] {
  const ok = candidates.filter((c) => eligible(taskCapabilities, c));
  ok.sort((a, b) => compareCandidates(taskCapabilities, a, b));
  const others = candidates.filter((c) => !ok.includes(c)).sort((a, b) => (a.id < b.id ? -1 : 1));
  return [...ok.map((c, i) => scored(taskCapabilities, c, i + 1)), ...others.map((c) => scored(taskCapabilities, c, null))];
}

function scored(taskCapabilities: readonly string[], c: PushCandidate, rank: number | null): ScoredCandidate {
  const missing = taskCapabilities.filter((cap) => !c.capabilities.includes(cap));
  const unused = c.capabilities.filter((cap) => !taskCapabilities.includes(cap)).length;
  const rate = successRate(c.stats);
  const reasons: string[] = [];
  if (!c.online) reasons.push('offline');
  if (missing.length > 0) reasons.push(`lacks ${missing.join(', ')}`);
  if (c.load >= c.concurrency) reasons.push(`no free slot (${c.load}/${c.concurrency})`);
  if (c.online && missing.length === 0) reasons.push(unused === 0 ? 'exact capability fit' : `${unused} capabilities unused`);
  reasons.push(`load ${c.load}/${c.concurrency}`);
  const history = c.stats.completed + c.stats.failed;
  reasons.push(history === 0 ? 'no history (success 0.50)' : `success ${rate.toFixed(2)} over ${history} tasks`);
  if (c.stats.meanSeconds !== null) reasons.push(`mean ${Math.round(c.stats.meanSeconds)}s per task`);
  return {
    id: c.id,
    rank,
    eligible: rank !== null,
    missing,
    unused,
    load: c.load,
    concurrency: c.concurrency,
    loadShare: c.load / Math.max(1, c.concurrency),
    successRate: rate,
    meanSeconds: c.stats.meanSeconds,
    reasons,
  };
}

/** The worker a task should be pushed to, or null when no worker can take it now. */
export function pickWorker(taskCapabilities: readonly string[], candidates: readonly PushCandidate[]): PushCandidate | null {
  const best = scoreCandidates(taskCapabilities, candidates)[0];
  return best?.eligible ? (candidates.find((c) => c.id === best.id) ?? null) : null;
}

export interface FinishedTask {
  assignee: string | null;
  capabilities: readonly string[];
  status: string;
  startedAt: string | null;
  completedAt: string | null;
}

/** Success and speed per worker, counted over finished tasks needing exactly `capabilities`. */
export function statsByWorker(finished: readonly FinishedTask[], capabilities: readonly string[]): Map<string, WorkerStats> {
  const key = capabilityKey(capabilities);
  const acc = new Map<string, { completed: number; failed: number; seconds: number; timed: number }>();
  for (const t of finished) {
    if (!t.assignee || capabilityKey(t.capabilities) !== key) continue;
    const a = acc.get(t.assignee) ?? { completed: 0, failed: 0, seconds: 0, timed: 0 };
    if (t.status === 'completed') {
      a.completed++;
      if (t.startedAt && t.completedAt) {
        a.seconds += Math.max(0, Date.parse(t.completedAt) - Date.parse(t.startedAt)) / 1000;
        a.timed++;
      }
    } else if (t.status === 'failed') {
      a.failed++;
    }
    acc.set(t.assignee, a);
  }
  const out = new Map<string, WorkerStats>();
  for (const [id, a] of acc) {
    out.set(id, { completed: a.completed, failed: a.failed, meanSeconds: a.timed > 0 ? a.seconds / a.timed : null });
  }
  return out;
}

function capabilityKey(capabilities: readonly string[]): string {
  return [...new Set(capabilities)].sort().join(',');
}
