import { BatonError } from './errors.js';
import { taskClaimOrder } from './ordering.js';
import type { Policy } from './policy.js';
import { retryDelayMs } from './retry.js';
import type { Task, TaskStatus } from './types.js';
import { FINAL_STATUSES } from './types.js';

/**
 * The lifecycle of SPEC §3. This table is the only place that says which transition is legal;
 * stores enforce it with conditional writes.
 *
 * ```
 * queued ──claim──> executing ──complete──> reviewing ──pass──> completed
 *                     ├─fail (retries left)──> queued (runAfter = now + backoff)
 *                     ├─fail (no retries)───> failed
 *                     ├─lease expired───────> queued (attempt counted)
 *                     └─release────────────> queued
 * blocked ──last dependency completes──> queued;  any non-final ──cancel──> cancelled
 * blocked ──a condition false, or a dependency it cannot run without ended otherwise──> skipped
 * blocked/queued/assigned ──breakdown──> executing (a parent) ──last subtask done──> completed
 * ```
 *
 * A parent made by breakdown is `executing` without a lease: no worker holds it, claims never
 * pick it (they take only queued/assigned tasks) and worker writes are refused for want of a
 * lease. Its subtasks drive it (`rollup`): its progress follows theirs and it completes when none
 * is open — or is cancelled when all of them were.
 */
export const TRANSITIONS = {
  claim: ['queued', 'assigned'],
  heartbeat: ['executing'],
  progress: ['executing'],
  complete: ['executing'],
  fail: ['executing'],
  release: ['executing'],
  expire: ['executing'],
  review: ['reviewing'],
  cancel: ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing'],
  retry: ['failed', 'cancelled', 'skipped'],
  pause: ['blocked', 'queued', 'assigned', 'executing'],
  resume: ['paused'],
  assign: ['blocked', 'queued', 'assigned', 'paused'],
  unassign: ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing'],
  unblock: ['blocked'],
  block: ['queued', 'assigned'],
  /** A dependency is added before work starts (a paused task, only when it was not executing). */
  depend: ['blocked', 'queued', 'assigned', 'paused'],
  update: ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing', 'completed', 'failed', 'cancelled', 'skipped'],
  /** A task waiting for its dependencies will not run (`core/conditions.ts`): what `depend` allows. */
  skip: ['blocked', 'queued', 'assigned', 'paused'],
  /** Only work nobody has started is split (held too: `assertCanBreakdown`); a parent's subtasks while open. */
  breakdown: ['blocked', 'queued', 'assigned', 'paused'],
  rollup: ['executing', 'paused'],
} as const satisfies Record<string, readonly TaskStatus[]>;

export type Action = keyof typeof TRANSITIONS;
export type TaskPatch = Partial<Omit<Task, 'id' | 'version' | 'createdAt' | 'dependsOn' | 'conditions'>>;

export function isFinal(status: TaskStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export function can(task: Pick<Task, 'status'>, action: Action): boolean {
  return (TRANSITIONS[action] as readonly TaskStatus[]).includes(task.status);
}

export function assertCan(task: Pick<Task, 'id' | 'status'>, action: Action): void {
  if (can(task, action)) return;
  const allowed = TRANSITIONS[action].join(', ');
  throw new BatonError(
    'illegal_transition',
    `cannot ${action} task ${task.id}: it is ${task.status} (${action} needs ${allowed})`,
    { id: task.id, status: task.status, action, allowed: [...TRANSITIONS[action]] },
  );
}

/** A paused task is split only if paused before it started (held): paused while executing, it counts as started. */
export const canBreakdown = (t: Pick<Task, 'status' | 'pausedFrom'>) => can(t, 'breakdown') && t.pausedFrom !== 'executing';
export const assertCanBreakdown = (t: Pick<Task, 'id' | 'status' | 'pausedFrom'>) =>
  assertCan(t.pausedFrom === 'executing' ? { id: t.id, status: 'executing' } : t, 'breakdown');

/** Actions the task's current state allows — what a UI may offer. */
export function allowedActions(task: Pick<Task, 'status'>): Action[] {
  return (Object.keys(TRANSITIONS) as Action[]).filter((a) => can(task, a));
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The moment a rule is applied at (the store clock of the transaction) and the policy in force. */
export interface RuleTime {
  now: number;
  policy: Policy;
}

/**
 * The patch that puts a task back in the queue (or reserved for its worker), ready at `readyAtMs`:
 * by default now, or its scheduled start time (`runAfter`) when that is still ahead.
 */
export function toReady(task: Task, clock: RuleTime, readyAtMs = Math.max(clock.now, scheduledMs(task))): TaskPatch {
  return {
    status: task.reservedFor ? 'assigned' : 'queued',
    assignee: task.reservedFor,
    lease: null,
    pausedFrom: null,
    readyAt: iso(readyAtMs),
    runAfter: readyAtMs > clock.now ? iso(readyAtMs) : null,
    claimOrder: taskClaimOrder(readyAtMs, task, clock.policy),
  };
}

/**
 * A started attempt goes back to the queue (fail with retries left, release, lease expiry, a
 * failed review): the next attempt starts at 0 %. The previous progress stays in the history.
 */
export function requeuePatch(task: Task, clock: RuleTime, readyAtMs = clock.now): TaskPatch {
  return { ...toReady(task, clock, readyAtMs), progress: 0 };
}

/** Where a task goes when it (re)enters the open states: blocked if a dependency is open. */
export function toOpen(task: Task, depsOpen: boolean, clock: RuleTime): TaskPatch {
  if (depsOpen) return { status: 'blocked', assignee: task.reservedFor, lease: null, pausedFrom: null, runAfter: null };
  return toReady(task, clock);
}

export interface LeaseCheck {
  workerId: string;
  token?: number | undefined;
  now: number;
}

/**
 * A worker's write must come from the lease holder, with the current token, before expiry.
 * This is the fencing rule: a presumed-dead worker can never overwrite its successor's work.
 */
export function assertLease(task: Task, action: Action | 'log', check: LeaseCheck): void {
  if (wasPausedUnder(task, check.token)) {
    throw new BatonError(
      'task_paused',
      `task ${task.id} was paused: stop working on it; the attempt ended and it is claimable again once resumed`,
      { id: task.id, status: task.status, action },
    );
  }
  if (task.status !== 'executing') {
    const hint = task.lease === null && task.leaseToken > 0 ? ' (the lease is gone — claim again)' : '';
    throw new BatonError('illegal_transition', `cannot ${action} task ${task.id}: it is ${task.status}, not executing${hint}`, {
      id: task.id,
      status: task.status,
      action,
    });
  }
  const lease = task.lease;
  if (!lease || lease.owner !== check.workerId) {
    throw new BatonError('not_lease_holder', `task ${task.id} is leased to ${lease?.owner ?? 'nobody'}, not ${check.workerId}`, {
      id: task.id,
      owner: lease?.owner ?? null,
    });
  }
  if (check.token !== undefined && check.token !== lease.token) {
    throw new BatonError(
      'stale_token',
      `task ${task.id}: token ${check.token} is stale (current lease token is ${lease.token})`,
      { id: task.id, token: check.token, current: lease.token },
    );
  }
  if (Date.parse(lease.expiresAt) <= check.now) {
    throw new BatonError('lease_expired', `task ${task.id}: the lease of ${check.workerId} expired at ${lease.expiresAt}`, {
      id: task.id,
      expiresAt: lease.expiresAt,
    });
  }
}

/** A paused task whose last lease (the one `token` names, when given) was ended by the pause. */
function wasPausedUnder(task: Task, token: number | undefined): boolean {
  if (task.status !== 'paused' || task.leaseToken === 0 || task.lease !== null) return false;
  return token === undefined || token === task.leaseToken;
}

export function claimPatch(task: Task, workerId: string, now: number, leaseMs: number): TaskPatch {
  const token = task.leaseToken + 1;
  return {
    status: 'executing',
    assignee: workerId,
    lease: { owner: workerId, token, expiresAt: iso(now + leaseMs), seconds: leaseMs / 1000 },
    leaseToken: token,
    attempts: task.attempts + 1,
    startedAt: task.startedAt ?? iso(now),
    runAfter: null,
  };
}

/** Extends the lease from now by the length its claim asked for. */
export function renewPatch(task: Task, now: number): TaskPatch {
  const lease = task.lease as NonNullable<Task['lease']>;
  return { lease: { ...lease, expiresAt: iso(now + lease.seconds * 1000) } };
}

export function reviewRequired(task: Task, policy: Policy): boolean {
  return Boolean(task.review?.required) || policy.reviewRequiredFor.includes(task.priority);
}

export interface CompleteInput {
  workerId: string;
  result?: unknown;
  artifacts?: string[];
}

export function completePatch(task: Task, input: CompleteInput, clock: RuleTime): TaskPatch {
  const at = iso(clock.now);
  const patch: TaskPatch = {
    progress: 100,
    lease: null,
    lastError: null,
    artifacts: [...task.artifacts, ...(input.artifacts ?? []).map((path) => ({ at, by: input.workerId, path }))],
  };
  if (input.result !== undefined) patch.result = input.result;
  if (reviewRequired(task, clock.policy)) {
    patch.status = 'reviewing';
    patch.review = {
      required: true,
      submittedBy: input.workerId,
      reviewer: null,
      verdict: null,
      feedback: null,
      score: null,
    };
    return patch;
  }
  return { ...patch, status: 'completed', completedAt: at };
}

/** A failed attempt: retried after the policy's backoff while retries are left, else `failed`. */
export function failPatch(task: Task, error: string, clock: RuleTime, random: number): TaskPatch {
  if (task.retries >= task.maxRetries) {
    return { status: 'failed', lease: null, lastError: error };
  }
  const retry = task.retries + 1;
  const delay = retryDelayMs(task.retryPolicy ?? clock.policy.retry, retry, random);
  return { ...requeuePatch(task, clock, clock.now + delay), retries: retry, lastError: error };
}

export function releasePatch(task: Task, clock: RuleTime): TaskPatch {
  return requeuePatch(task, clock);
}

export interface ReviewInput {
  reviewer: string;
  pass: boolean;
  feedback?: string | undefined;
  score?: number | undefined;
}

export function reviewPatch(task: Task, input: ReviewInput, clock: RuleTime): TaskPatch {
  const review = task.review ?? { required: true, submittedBy: null, reviewer: null, verdict: null, feedback: null, score: null };
  if (review.submittedBy !== null && review.submittedBy === input.reviewer) {
    throw new BatonError('invalid_reviewer', `task ${task.id}: ${input.reviewer} submitted it and cannot review it`, {
      id: task.id,
      field: 'worker',
    });
  }
  const decided = {
    ...review,
    reviewer: input.reviewer,
    verdict: input.pass ? ('pass' as const) : ('fail' as const),
    feedback: input.feedback ?? null,
    score: input.score ?? null,
  };
  if (input.pass) return { status: 'completed', review: decided, completedAt: iso(clock.now) };
  const notes = input.feedback
    ? [...task.notes, { at: iso(clock.now), by: input.reviewer, text: `review failed: ${input.feedback}` }]
    : task.notes;
  // The rejected attempt's result and artifacts go with it; the next attempt starts afresh.
  return { ...requeuePatch(task, clock), review: decided, notes, result: null, artifacts: [] };
}

export function cancelPatch(): TaskPatch {
  return { status: 'cancelled', lease: null, pausedFrom: null, runAfter: null };
}

/** A waiting task that will not run: final, like a cancelled one, and retried the same way. */
export function skipPatch(): TaskPatch {
  return { status: 'skipped', lease: null, pausedFrom: null, runAfter: null };
}

export function retryPatch(task: Task, depsOpen: boolean, clock: RuleTime): TaskPatch {
  return { ...toOpen(task, depsOpen, clock), retries: 0, progress: 0, completedAt: null };
}

/**
 * Pausing a task a worker runs ends its lease at once: the attempt stops (the worker learns it
 * from its next lease write, refused with `task_paused`) without counting as a failed try, and
 * the task keeps its progress and notes. Resumed, it goes back to the queue (or to the worker it is
 * reserved for) to be claimed again. A parent (executing without a lease) pauses as it is.
 */
export function pausePatch(task: Task): TaskPatch {
  if (task.status === 'executing' && task.lease) {
    return { status: 'paused', pausedFrom: task.reservedFor ? 'assigned' : 'queued', lease: null, assignee: task.reservedFor };
  }
  return { status: 'paused', pausedFrom: task.status };
}

/** Resume returns a paused task to where it was; a parent goes back to following its subtasks. */
export function resumePatch(task: Task, depsOpen: boolean, clock: RuleTime): TaskPatch {
  // A parent (executing, no lease) goes back to following its subtasks, never to the queue.
  if (task.pausedFrom === 'executing' && !task.lease) return { status: 'executing', pausedFrom: null };
  // Paused under a lease by an older Baton: nobody renews that lease any more, so the queue takes it.
  return toOpen(task, depsOpen, clock);
}

export function assignPatch(task: Task, workerId: string, clock: RuleTime): TaskPatch {
  const reserved = { ...task, reservedFor: workerId };
  if (task.status === 'queued' || task.status === 'assigned') return { reservedFor: workerId, ...toReady(reserved, clock) };
  if (task.status === 'paused' && task.pausedFrom === 'executing') return { reservedFor: workerId };
  return { reservedFor: workerId, assignee: workerId };
}

/**
 * The reservation is dropped: a ready task goes back to the shared queue (keeping its place), a
 * running one stays with its lease holder and returns to the shared queue if it comes back.
 */
export function unassignPatch(task: Task): TaskPatch {
  if (task.status === 'assigned') return { reservedFor: null, status: 'queued', assignee: null };
  if (task.status === 'paused' && task.pausedFrom === 'assigned') {
    return { reservedFor: null, assignee: null, pausedFrom: 'queued' };
  }
  // Waiting (blocked, or paused without a lease), the reservation was all its assignee said.
  const waiting = task.status === 'blocked' || (task.status === 'paused' && task.lease === null);
  return waiting && task.assignee === task.reservedFor ? { reservedFor: null, assignee: null } : { reservedFor: null };
}

/** Effect of a priority change on the queue position of a ready task. */
/** A task's start time in ms, or 0 when it has none. */
function scheduledMs(task: Pick<Task, 'runAfter'>): number {
  return task.runAfter ? Date.parse(task.runAfter) : 0;
}

export function reprioritisePatch(task: Task, priority: Task['priority'], clock: RuleTime): TaskPatch {
  const patch: TaskPatch = { priority };
  if (task.readyAt) {
    patch.claimOrder = taskClaimOrder(Date.parse(task.readyAt), { priority, queue: task.queue }, clock.policy);
  }
  return patch;
}

const APPEND_ONLY = new Set(['notes', 'checkpoints', 'artifacts']);

/** Fields whose change is recorded in the event's `changes` (before → after). */
export function diff(task: Task, patch: TaskPatch): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [key, after] of Object.entries(patch)) {
    if (key === 'claimOrder' || key === 'updatedAt') continue;
    const before = (task as unknown as Record<string, unknown>)[key];
    if (APPEND_ONLY.has(key) && Array.isArray(before) && Array.isArray(after)) {
      // Lists grow: record what was appended, not the whole list twice. A list cleared (a
      // rejected attempt's artifacts) records what it held.
      if (after.length > before.length) changes[key] = [null, after.slice(before.length)];
      else if (after.length < before.length) changes[key] = [before, after];
      continue;
    }
    if (JSON.stringify(before) !== JSON.stringify(after)) changes[key] = [before, after];
  }
  return changes;
}

/**
 * The lease ran out: the worker is presumed dead. The attempt counts against `maxRetries`, but
 * the task is ready again at once — another worker should pick it up, not wait out a backoff.
 */
export function expirePatch(task: Task, clock: RuleTime): TaskPatch {
  const error = `lease of ${task.lease?.owner ?? 'unknown worker'} expired`;
  if (task.retries >= task.maxRetries) return { status: 'failed', lease: null, lastError: error };
  return { ...requeuePatch(task, clock), retries: task.retries + 1, lastError: error };
}

/** A task becomes a parent: executing without a lease, driven by its subtasks from now on. */
export function parentPatch(task: Task, clock: RuleTime): TaskPatch {
  return {
    status: 'executing',
    assignee: null,
    lease: null,
    pausedFrom: null,
    runAfter: null,
    readyAt: null,
    completedAt: null,
    startedAt: task.startedAt ?? iso(clock.now),
  };
}

/** A parent after a change of its subtasks: their weighted progress, and its end when none is open. */
export function rollupPatch(
  task: Task,
  children: { progress: number; outcome: 'open' | 'completed' | 'cancelled' | 'stalled' },
  clock: RuleTime,
): TaskPatch {
  if (children.outcome === 'completed') {
    return { status: 'completed', progress: 100, pausedFrom: null, completedAt: iso(clock.now) };
  }
  if (children.outcome === 'cancelled') return cancelPatch();
  return task.progress === children.progress ? {} : { progress: children.progress };
}
