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
  const state = await ctx.presence.breakerOf(workerId);
  if (!state) return { limit: null, retryAtMs: null };
  const now = await ctx.store.now();
  const gate = breakerGate(state, now);
  if (!gate.allow) return { limit: 0, retryAtMs: gate.retryAtMs };
  if (gate.next) await saveBreaker(ctx, workerId, gate.next, 'breaker_half_open');
  return { limit: gate.limit, retryAtMs: null };
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
 * What a failed attempt does to its worker's breaker, decided before the failure is written: the
 * breaker state to save afterwards (null: the worker has none), and whether the task is charged.
 */
export async function breakerOnFailure(
  ctx: AppContext,
  workerId: string,
): Promise<{ charge: boolean; save: (() => Promise<void>) | null }> {
  const state = await ctx.presence.breakerOf(workerId);
  if (!state) return { charge: true, save: null };
  const outcome = breakerAfter(state, true, await ctx.store.now());
  return { charge: outcome.charge, save: () => saveBreaker(ctx, workerId, outcome.next, outcome.event) };
}

/** A completed attempt closes a half-open breaker and ends a run of failures. */
export async function breakerOnSuccess(ctx: AppContext, workerId: string): Promise<void> {
  const state = await ctx.presence.breakerOf(workerId);
  if (!state || (state.mode === 'closed' && state.consecutive === 0 && state.config.rate === null)) return;
  const outcome = breakerAfter(state, false, await ctx.store.now());
  await saveBreaker(ctx, workerId, outcome.next, outcome.event);
}

async function saveBreaker(ctx: AppContext, workerId: string, next: BreakerState, event: string | null): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.upsertWorker({ id: workerId, breaker: next });
    if (!event) return;
    await tx.appendEvent({
      taskId: null,
      workerId,
      actor: workerId,
      type: event,
      at: iso(tx.now),
      changes: {},
      data: { reason: next.reason, reopensAt: next.reopensAt, trips: next.trips, failuresInARow: next.consecutive },
    });
  });
  ctx.presence.rememberBreaker(workerId, next);
}
