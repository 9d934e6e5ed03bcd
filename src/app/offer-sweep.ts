import { AUCTION_HOLDER, type Offer, rankBids } from '../core/assignment.js';
import { assignPatch } from '../core/lifecycle.js';
import type { Task } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import { type AppContext, writeTasks } from './context.js';
import { candidatesOf } from './hybrid-push.js';
import { unassign } from './reservation-service.js';
import { SYSTEM_ACTOR, type TaskWriter } from './task-writer.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Open offers looked at per sweep, soonest to close first. */
const OFFERS_PER_SWEEP = 200;

/**
 * The sweep's part of assignment strategies: a push not claimed within `push.acceptWithin` goes
 * to the next best worker; an auction whose window passed (or whose capable online workers all
 * bid) closes with its best bid, or falls back to pull without one; an offer whose task moved on
 * is closed. Each close is one transaction holding the offer's row and guarded on `closed_at`, so
 * several processes sweeping one store close each offer once.
 */
export async function settleOffers(ctx: AppContext): Promise<void> {
  const open = await ctx.store.openOffers(OFFERS_PER_SWEEP);
  if (open.length === 0) return;
  const now = await ctx.store.now();
  const tasks = new Map((await ctx.store.getTasks(open.map((o) => o.taskId))).map((t) => [t.id, t]));
  for (const offer of open) {
    const task = tasks.get(offer.taskId);
    const due = Date.parse(offer.closesAt) <= now;
    if (offer.kind === 'auction' && (due || !awaitingBids(task))) await closeAuction(ctx, offer.taskId);
    else if (offer.kind === 'push' && (due || !awaitingClaim(task, offer))) await settlePush(ctx, offer.taskId);
  }
}

/** Reserved for the auction, or paused while it was (the auction waits for the resume). */
const awaitingBids = (task: Task | undefined) => task?.reservedFor === AUCTION_HOLDER;

const awaitingClaim = (task: Task | undefined, offer: Offer) =>
  task?.reservedFor === offer.workerId && (task.status === 'assigned' || task.status === 'paused') && task.lease === null;

/** Settles a task's open push: claimed (accepted), moved on (gone), or not claimed in time (next best). */
async function settlePush(ctx: AppContext, taskId: number): Promise<void> {
  await writeTasks(ctx, async (tx, writer) => {
    const offer = await tx.openOfferOf(taskId);
    const task = await tx.getTask(taskId);
    if (offer?.kind !== 'push' || !task) return null;
    const waiting = awaitingClaim(task, offer);
    if (waiting && Date.parse(offer.closesAt) > tx.now) return null;
    if (!waiting) {
      const accepted = task.lease?.owner === offer.workerId || (task.assignee === offer.workerId && task.startedAt !== null);
      return tx.closeOffer(offer.id, { at: tx.now, outcome: accepted ? 'accepted' : 'gone', workerId: null });
    }
    if (task.status !== 'assigned') return null;
    if (!(await tx.closeOffer(offer.id, { at: tx.now, outcome: 'expired', workerId: null }))) return null;
    // Back to the queue: the write offers it again at once, to the next best (`offer-writer.ts`).
    return unassign(tx, writer, task, { reason: 'not_accepted' });
  });
}

/**
 * Closes a task's open auction: the best bid of a worker still online and able to take it gets the
 * reservation; with none, the task goes back to the shared queue for whoever pulls first. Returns
 * the task as it is then, or null when there was nothing to close (another process closed it).
 */
export async function closeAuction(ctx: AppContext, taskId: number): Promise<Task | null> {
  return writeTasks(ctx, async (tx, writer) => {
    const offer = await tx.openOfferOf(taskId);
    const task = await tx.getTask(taskId);
    if (offer?.kind !== 'auction' || !task) return null;
    if (task.reservedFor !== AUCTION_HOLDER) {
      await tx.closeOffer(offer.id, { at: tx.now, outcome: 'gone', workerId: null });
      return null;
    }
    // Paused during the auction: it closes once the task is resumed.
    if (task.status !== 'assigned') return null;
    const best = await bestBid(tx, ctx, task, offer);
    const outcome = best.workerId !== null ? 'won' : 'no_bids';
    if (!(await tx.closeOffer(offer.id, { at: tx.now, outcome, workerId: best.workerId }))) return null;
    const data = { auction: offer.id, outcome, winner: best.workerId, score: best.score, bids: best.of };
    await tx.appendEvent({ ...writer.event(taskId, tx.now, 'auction_closed', {}, null, data), actor: SYSTEM_ACTOR });
    if (best.workerId === null) return unassign(tx, writer, task, { reason: 'no_bids' });
    return award(tx, writer, task, { workerId: best.workerId, score: best.score, auction: offer.id });
  });
}

interface Winner {
  /** Null: no bid of a worker that may win. */
  workerId: string | null;
  score: number | null;
  /** How many bids counted. */
  of: number;
}

/** The best bid among workers still online and capable: score, then load, then earliest. */
async function bestBid(tx: StoreTx, ctx: AppContext, task: Task, offer: Offer): Promise<Winner> {
  const bids = await tx.bidsOf(offer.id);
  if (bids.length === 0) return { workerId: null, score: null, of: 0 };
  const candidates = new Map(candidatesOf(await tx.pushView(0), task, tx.now, ctx.policy).map((c) => [c.id, c]));
  const able = bids.flatMap((b) => {
    const c = candidates.get(b.workerId);
    // A busy worker may still bid (its load ranks it); one gone offline or lacking a capability may not win.
    const fits = c?.online && task.capabilities.every((cap) => c.capabilities.includes(cap));
    return fits ? [{ ...b, load: c.load / Math.max(1, c.concurrency) }] : [];
  });
  const best = rankBids(able)[0];
  return { workerId: best?.workerId ?? null, score: best?.score ?? null, of: bids.length };
}

function award(
  tx: StoreTx,
  writer: TaskWriter,
  task: Task,
  winner: { workerId: string; score: number | null; auction: number },
): Promise<Task> {
  const patch = assignPatch(task, winner.workerId, writer.clock(tx));
  const data = { worker: winner.workerId, auction: winner.auction, score: winner.score, at: iso(tx.now) };
  return writer.apply(tx, task, { type: 'assigned', patch, data, actor: SYSTEM_ACTOR });
}
