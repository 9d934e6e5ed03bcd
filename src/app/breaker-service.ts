import { type BreakerState, breakerAfter, breakerGate } from '../core/breaker.js';
import { BatonError } from '../core/errors.js';
import type { AppContext } from './context.js';

/**
 * Circuit breakers at the store (`core/breaker.ts`): a worker's breaker is kept on its row, so
 * whichever server or process takes its claims and failures enforces it. A worker without one
 * pays one cached look-up per claim.
 */

const iso = (ms: number) => new Date(ms).toISOString();

/** How many tasks a claim of `workerId` may take now: 0 while its breaker is open, 1 for the half-open probe. */
export async function breakerLimit(
  ctx: AppContext,
  workerId: string,
): Promise<{ limit: number | null; retryAtMs: number | null }> {
  const seen = await ctx.presence.breakerOf(workerId);
  if (!seen) return { limit: null, retryAtMs: null };
  const quick = breakerGate(seen, await ctx.store.now());
  if (!quick.next) return { limit: quick.allow ? quick.limit : 0, retryAtMs: quick.retryAtMs };
  // Half-opening: decided again on the locked row, so that of concurrent claims one takes the probe.
  let gate = quick;
  await updateBreaker(ctx, workerId, (state, now) => {
    gate = breakerGate(state, now);
    return gate.next ? { next: gate.next, event: 'breaker_half_open' } : null;
  });
  return { limit: gate.allow ? gate.limit : 0, retryAtMs: gate.retryAtMs };
}

/** A claim of one task by id, refused with `breaker_open` while the worker's breaker is open. */
export async function assertBreakerClosed(ctx: AppContext, workerId: string): Promise<void> {
  const { limit, retryAtMs } = await breakerLimit(ctx, workerId);
  if (limit !== 0) return;
  const at = retryAtMs === null ? 'later' : `after ${iso(retryAtMs)}`;
  throw new BatonError('breaker_open', `worker ${workerId}: its circuit breaker is open; it may claim again ${at}`, {
    id: workerId,
    retryAt: retryAtMs === null ? null : iso(retryAtMs),
  });
}

/**
 * Counts a failed attempt against its worker's breaker (in turn with the worker's other outcomes)
 * and says whether the task is to be charged a retry; `check` refuses a report first (a worker
 * without a breaker skips it, the write checks again).
 */
export async function breakerOnFailure(
  ctx: AppContext,
  workerId: string,
  check: () => Promise<void>,
): Promise<{ charge: boolean }> {
  if (!(await ctx.presence.breakerOf(workerId))) return { charge: true };
  await check();
  let charge = true;
  await updateBreaker(ctx, workerId, (state, now) => {
    const outcome = breakerAfter(state, true, now);
    charge = outcome.charge;
    return outcome;
  });
  return { charge };
}

/** A completed attempt closes a half-open breaker and ends a run of failures. */
export async function breakerOnSuccess(ctx: AppContext, workerId: string): Promise<void> {
  const seen = await ctx.presence.breakerOf(workerId);
  if (!seen || (seen.mode === 'closed' && seen.consecutive === 0 && seen.config.rate === null)) return;
  await updateBreaker(ctx, workerId, (state, now) => breakerAfter(state, false, now));
}

type BreakerStep = (state: BreakerState, now: number) => { next: BreakerState; event: string | null } | null;

/** Reads the worker's breaker locked, applies `step`, and writes the new state and its event. */
async function updateBreaker(ctx: AppContext, workerId: string, step: BreakerStep): Promise<void> {
  const saved = await ctx.store.transaction(async (tx) => {
    const state = (await tx.lockWorker(workerId))?.breaker ?? null;
    const change = state ? step(state, tx.now) : null;
    if (!change) return state;
    await tx.upsertWorker({ id: workerId, breaker: change.next });
    if (change.event) {
      const next = change.next;
      await tx.appendEvent({
        taskId: null,
        workerId,
        actor: workerId,
        type: change.event,
        at: iso(tx.now),
        changes: {},
        data: { reason: next.reason, reopensAt: next.reopensAt, trips: next.trips, failuresInARow: next.consecutive },
      });
    }
    return change.next;
  });
  ctx.presence.rememberBreaker(workerId, saved);
}
