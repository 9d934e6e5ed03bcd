import type { z } from 'zod';
import { offerFor } from '../core/assignment.js';
import { invalid, isBatonError, taskNotFound } from '../core/errors.js';
import {
  assertCan,
  assertLease,
  completePatch,
  diff,
  expirePatch,
  failPatch,
  type RuleTime,
  releasePatch,
  renewPatch,
  requeuePatch,
  reviewPatch,
  type TaskPatch,
} from '../core/lifecycle.js';
import {
  claimManySchema,
  completeManySchema,
  completeSchema,
  failSchema,
  leaseRefSchema,
  noteSchema,
  parseWith,
  progressSchema,
  reviewSchema,
} from '../core/schemas.js';
import { assertLeaderReview } from '../core/teams.js';
import type { Task } from '../core/types.js';
import type {
  ClaimManyInput,
  CompleteTaskInput,
  CompletionItem,
  CompletionResult,
  FailInput,
  LeaseRef,
  NoteInput,
  ProgressInput,
  ReviewTaskInput,
} from './baton.js';
import { breakerLimit, breakerOnFailure, breakerOnSuccess } from './breaker-service.js';
import { type AppContext, changeTask, newEffects, ruleTime, writeTasks } from './context.js';
import { settleOffers } from './offer-sweep.js';
import { capsOf, claimsHeld } from './queue-service.js';
import { createDueOccurrences } from './recurrence-service.js';
import { offlineWorkers, reasonFor, releaseOfflineReservations, unassign } from './reservation-service.js';
import { advanceRuns } from './run-advance.js';
import type { Change } from './task-writer.js';
import { fireTriggers } from './trigger-service.js';

/** The worker's side: claims (SPEC §4) and every write made under a lease, plus reviews. */

const iso = (ms: number) => new Date(ms).toISOString();

export async function claimMany(ctx: AppContext, raw: ClaimManyInput): Promise<Task[]> {
  const request = parseWith(claimManySchema, raw);
  const { workerId, withCommand } = request;
  const { maxTasks, maxLeaseSeconds } = ctx.policy.claims;
  const leaseSeconds = request.leaseSeconds ?? ctx.policy.leaseSeconds;
  if (leaseSeconds > maxLeaseSeconds) {
    throw invalid('leaseSeconds', `must be at most ${maxLeaseSeconds} seconds (claims.maxLease of this store's config)`);
  }
  const leaseMs = leaseSeconds * 1000;
  // Fewer tasks than asked is what any claim may answer; a worker claims again for the rest.
  const { store, clock } = ctx;
  await ctx.presence.assertCurrent(workerId, request.host, request.pid);
  const capabilities = await ctx.presence.capabilitiesFor(workerId, request.capabilities);
  const deadline = clock.now() + (request.waitSeconds ?? 0) * 1000;
  const { queues } = request;
  const caps = capsOf(ctx);
  const breaker = await breakerLimit(ctx, workerId);
  if (breaker.limit === 0) {
    // An open breaker: the claim waits as it would for work, then answers nothing.
    await clock.sleep(Math.max(0, Math.min(deadline, breaker.retryAtMs ?? deadline) - clock.now()), request.signal);
    return [];
  }
  const limit = Math.min(request.limit, maxTasks, breaker.limit ?? maxTasks);
  // Short pauses keep pickup latency low; a waiting worker takes the write lock only when the
  // cheap read says something is ready, so idle pollers do not slow down busy writers.
  for (let pause = 5, first = true; ; pause = Math.min(pause * 2, 40), first = false) {
    // A store that can wake us (PostgreSQL NOTIFY) is asked before the claim, so a task made
    // ready while the claim runs still wakes us; such a store needs no cheap pre-check either.
    const waiting = clock.now() < deadline && store.waitForWork !== undefined;
    const stop = waiting ? new AbortController() : undefined;
    const signal = stop && (request.signal ? AbortSignal.any([stop.signal, request.signal]) : stop.signal);
    const woken = signal ? store.waitForWork?.(signal, deadline - clock.now()) : undefined;
    try {
      await ctx.sweeper.sometimes(() => sweep(ctx));
      const worth =
        first || woken !== undefined || ((await store.hasTasks({ ready: true, withCommand })) && !(await claimsHeld(ctx)));
      const query = { workerId, capabilities, leaseMs, limit, withCommand, queues, caps };
      let claimed = worth ? await store.claim(query) : [];
      // A push or sweep running meanwhile (another request's, the server's loop) may hold the very
      // row this claim skipped as locked, reserving it for this worker: once it ends, look again.
      const moving = claimed.length === 0 && first ? (ctx.sweeper.inProgress() ?? ctx.push.inProgress()) : null;
      if (moving) {
        await moving.catch(() => undefined);
        claimed = await store.claim(query);
      }
      if (claimed.length > 0 || clock.now() >= deadline || request.signal?.aborted) return claimed;
      await (woken ?? clock.sleep(Math.min(pause, Math.max(1, deadline - clock.now())), request.signal));
    } finally {
      stop?.abort('claimed');
    }
  }
}

export async function heartbeat(ctx: AppContext, id: number, raw: LeaseRef): Promise<Task> {
  const lease = parseWith(leaseRefSchema, raw);
  return leased(ctx, id, 'heartbeat', lease, (task, time) => ({ type: 'lease_renewed', patch: renewPatch(task, time.now) }));
}

export async function reportProgress(ctx: AppContext, id: number, raw: ProgressInput): Promise<Task> {
  const input = parseWith(progressSchema, raw);
  const { progress, note, step } = input;
  return leased(ctx, id, 'progress', input, (task, time) => {
    const at = iso(time.now);
    const patch: TaskPatch = { progress, ...renewPatch(task, time.now) };
    if (note) patch.notes = [...task.notes, { at, by: input.workerId, text: note }];
    if (step) patch.checkpoints = [...task.checkpoints, { at, by: input.workerId, name: step, progress }];
    return { type: 'progress', patch };
  });
}

export async function addNote(ctx: AppContext, id: number, raw: NoteInput): Promise<Task> {
  const { text, workerId = null } = parseWith(noteSchema, raw);
  const by = workerId ?? ctx.actor ?? 'unknown';
  return changeTask(ctx, id, async (task, _tx, time) => ({
    type: 'note_added',
    patch: { notes: [...task.notes, { at: iso(time.now), by, text }] },
    workerId,
  }));
}

export async function complete(ctx: AppContext, id: number, raw: CompleteTaskInput): Promise<Task> {
  return completeParsed(ctx, id, parseWith(completeSchema, raw));
}

/**
 * Several completions, each by `complete` and all at once: the store groups the concurrent writes
 * (SQLite's group commit, PostgreSQL's batched writes). A refusal answers its own item only.
 */
export async function completeMany(ctx: AppContext, items: CompletionItem[]): Promise<CompletionResult[]> {
  const batch = parseWith(completeManySchema, { items });
  const settled = await Promise.allSettled(batch.items.map(({ id, ...input }) => completeParsed(ctx, id, input)));
  return settled.map((outcome, i) => {
    const id = batch.items[i]?.id ?? 0;
    if (outcome.status === 'fulfilled') return { id, ok: true, task: outcome.value };
    // Only a refusal is an item's answer; anything else is a failure of the call, as `complete` would throw it.
    if (!isBatonError(outcome.reason)) throw outcome.reason;
    return { id, ok: false, error: outcome.reason };
  });
}

async function completeParsed(ctx: AppContext, id: number, input: z.output<typeof completeSchema>): Promise<Task> {
  const artifacts = input.artifacts ?? [];
  const task = await leased(ctx, id, 'complete', input, (task, time) => ({
    type: 'completed',
    patch: completePatch(task, { workerId: input.workerId, result: input.result, artifacts }, time),
  }));
  await breakerOnSuccess(ctx, input.workerId);
  return task;
}

/**
 * A failed attempt: retried or failed by the task's policy, and counted by the worker's breaker.
 * A failure the breaker is to blame for (its worker's breaker was already open or half-open) is
 * not charged: the task goes back to the queue with its retries untouched.
 */
export async function fail(ctx: AppContext, id: number, raw: FailInput): Promise<Task> {
  const input = parseWith(failSchema, raw);
  const text = input.error;
  // A report refused anyway (a lost lease, a stale token) must not count against the breaker.
  const breaker = await breakerOnFailure(ctx, input.workerId, async () => {
    const current = await ctx.store.getTask(id);
    if (!current) throw taskNotFound(id);
    assertLease(current, 'fail', { workerId: input.workerId, token: input.token, now: await ctx.store.now() });
  });
  const task = await leased(ctx, id, 'fail', input, (task, time) => ({
    type: 'failed',
    patch: breaker.charge ? failPatch(task, text, time, ctx.random()) : { ...requeuePatch(task, time), lastError: text },
    ...(!breaker.charge && { data: { charged: false, reason: 'circuit breaker' } }),
  }));
  return task;
}

export async function release(ctx: AppContext, id: number, raw: LeaseRef): Promise<Task> {
  const lease = parseWith(leaseRefSchema, raw);
  return leased(ctx, id, 'release', lease, (task, time) => ({ type: 'released', patch: releasePatch(task, time) }));
}

export async function review(ctx: AppContext, id: number, raw: ReviewTaskInput): Promise<Task> {
  const input = parseWith(reviewSchema, raw);
  const reviewer = input.workerId;
  return changeTask(ctx, id, async (task, _tx, time) => {
    assertCan(task, 'review');
    if (task.team !== null)
      assertLeaderReview(
        task,
        reviewer,
        (await ctx.store.listTeams()).find((t) => t.name === task.team),
      );
    const patch = reviewPatch(task, { ...input, reviewer }, time);
    return { type: input.pass ? 'review_passed' : 'review_failed', patch, workerId: reviewer };
  });
}

/**
 * Everything that falls due by time alone: expired leases, reservations of workers gone offline,
 * pushes not claimed in time and auctions to close (`offer-sweep.ts`), tasks still waiting for a
 * push, the next occurrences of recurring tasks, workflow triggers, and runs that wait on time or
 * events. Returns the ids of the tasks whose lease expired.
 *
 * The store is first asked, in one statement, which of these could find anything; a sweep with
 * nothing due (most of them: one runs every 100 ms) reads nothing more. Once a lease expired, the
 * rest runs in full, since requeuing a task may reserve, offer or advance something the look
 * did not see.
 */
export async function sweep(ctx: AppContext): Promise<number[]> {
  const due = await ctx.store.sweepDue();
  const expired = due.leases ? await expireLeases(ctx) : [];
  const all = expired.length > 0;
  if (all || due.reserved) await releaseOfflineReservations(ctx);
  if (all || due.offers) await settleOffers(ctx);
  await ctx.push.sweep();
  if (all || due.recurrences) await createDueOccurrences(ctx);
  if (all || due.triggers) await fireTriggers(ctx);
  await advanceRuns(ctx, { due: all || due.runs, nowMs: due.nowMs });
  return expired;
}

/**
 * Requeues (or fails) tasks whose lease ran out, one transaction each; returns their ids. A task
 * reserved for a worker that is offline goes to the shared queue, not back to that worker.
 */
export async function expireLeases(ctx: AppContext): Promise<number[]> {
  const ids = await ctx.store.expiredLeases(await ctx.store.now(), 100);
  const expired: number[] = [];
  const offline = ids.length > 0 ? await offlineWorkers(ctx) : new Map();
  for (const id of ids) {
    const updated = await writeTasks(ctx, async (tx, writer) => {
      const task = await tx.getTask(id);
      if (task?.status !== 'executing' || !task.lease || Date.parse(task.lease.expiresAt) > tx.now) return null;
      const requeued = await writer.apply(tx, task, {
        type: 'lease_expired',
        patch: expirePatch(task, ruleTime(ctx, tx)),
        workerId: task.lease.owner,
        data: { worker: task.lease.owner, token: task.lease.token },
      });
      const gone = requeued.reservedFor !== null && requeued.status !== 'failed' && offline.has(requeued.reservedFor);
      return gone ? unassign(tx, writer, requeued, { reason: reasonFor(offline.get(requeued.reservedFor as string)) }) : requeued;
    });
    if (updated) expired.push(updated.id);
  }
  return expired;
}

type LeasedAction = 'heartbeat' | 'progress' | 'complete' | 'fail' | 'release';

/** A worker's write: the lease must be held, with the current token, and not expired. */
async function leased(
  ctx: AppContext,
  id: number,
  action: LeasedAction,
  lease: LeaseRef,
  decide: (task: Task, time: RuleTime) => Change,
): Promise<Task> {
  // Every caller parsed its input (with its lease) first.
  const { workerId } = lease;
  const effects = newEffects();
  const quick = await ctx.store.changeTask({
    id,
    decide: (current, { now, hasDependents }) => {
      if (!current) throw taskNotFound(id);
      assertLease(current, action, { workerId, token: lease.token, now });
      // A subtask's parent follows it and a finished task may unblock others: changes that
      // reach other rows take the full transaction below. So does a failure or release of a task
      // pushed or auctioned by its mode: back in the queue, it is offered in that same transaction.
      const pushes = (action === 'fail' || action === 'release') && offerFor(current, ctx.policy) !== null;
      if (current.parentId !== null || hasDependents || pushes) return null;
      const change = decide(current, { now, policy: ctx.policy });
      const event = {
        taskId: id,
        workerId,
        actor: workerId,
        type: change.type,
        at: iso(now),
        changes: diff(current, change.patch),
        data: change.data ?? null,
      };
      return { patch: change.patch, event };
    },
  });
  if (quick) effects.criticalReady = quick.status === 'queued' && offerFor(quick, ctx.policy) === 'push';
  const task = quick
    ? await ctx.push.after(quick, effects)
    : await changeTask(ctx, id, async (current, _tx, time) => {
        assertLease(current, action, { workerId, token: lease.token, now: time.now });
        return { ...decide(current, time), workerId };
      });
  await ctx.presence.touch(workerId);
  // A push-mode task's lease ended and freed a slot: tasks waiting for a push are pushed before the
  // worker hears back, so its next claim finds what was pushed to it.
  const ended = action === 'complete' || action === 'fail' || action === 'release';
  if (ended && offerFor(task, ctx.policy) === 'push') return ctx.push.after(task, { criticalReady: true });
  return task;
}
