import { type AssignmentExplanation, AUCTION_HOLDER, assignmentOf, type Bid, everyoneBid, rankBids } from '../core/assignment.js';
import { BatonError } from '../core/errors.js';
import { NO_STATS, scoreCandidates, statsByWorker } from '../core/push.js';
import { type BidInput, bidSchema, parseWith } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import { type AppContext, newEffects, writerFor, writeTasks } from './context.js';
import { candidatesOf, recentFinished } from './hybrid-push.js';
import { closeAuction } from './offer-sweep.js';
import { getTask } from './task-service.js';

/**
 * Bids and the explanation of an assignment (`core/assignment.ts`). Offers are made as tasks
 * become ready (`offer-writer.ts`) and settled by the sweep (`offer-sweep.ts`).
 */

/** A worker bids in a task's auction; refused unless the auction is open and the worker online and capable. */
export async function bid(ctx: AppContext, id: number, raw: BidInput): Promise<Bid> {
  const input = parseWith(bidSchema, raw);
  const placed = await writeTasks(ctx, async (tx, writer) => {
    const task = await writer.requireTask(tx, id);
    const offer = await tx.openOfferOf(id);
    if (offer?.kind !== 'auction' || task.reservedFor !== AUCTION_HOLDER) {
      // Closed already (by the sweep): a late bid is told so, not that there never was an auction.
      const last = (await tx.offersOfTask(id)).filter((o) => o.kind === 'auction').at(-1);
      if (last?.closedAt && task.status === 'queued') throw auctionClosed(id, last.closesAt);
      throw new BatonError('not_in_auction', `task ${id} is not being auctioned now`, { id, status: task.status });
    }
    if (tx.now > Date.parse(offer.closesAt)) throw auctionClosed(id, offer.closesAt);
    await checkBidder(tx, ctx, task, input.workerId);
    const stored = await tx.putBid({
      offerId: offer.id,
      taskId: id,
      workerId: input.workerId,
      score: input.score,
      etaSeconds: input.etaSeconds ?? null,
      note: input.note ?? null,
      at: tx.now,
    });
    const data = {
      auction: offer.id,
      worker: input.workerId,
      score: input.score,
      etaSeconds: stored.etaSeconds,
      note: stored.note,
    };
    await tx.appendEvent(writer.event(id, tx.now, 'bid', {}, input.workerId, data));
    return stored;
  });
  await ctx.presence.touch(input.workerId);
  await closeIfEveryoneBid(ctx, id);
  return placed;
}

function auctionClosed(id: number, closesAt: string): BatonError {
  return new BatonError('auction_closed', `the auction of task ${id} closed at ${closesAt}`, { id, closesAt });
}

/** The bidder must be registered, online and able to do the task. */
async function checkBidder(tx: StoreTx, ctx: AppContext, task: Task, workerId: string): Promise<void> {
  const candidate = candidatesOf(await tx.pushView(0), task, tx.now, ctx.policy).find((c) => c.id === workerId);
  if (!candidate) throw new BatonError('worker_not_found', `worker ${workerId} is not registered`, { workerId });
  if (!candidate.online) throw new BatonError('worker_offline', `worker ${workerId} is offline`, { workerId });
  const missing = task.capabilities.filter((c) => !candidate.capabilities.includes(c));
  if (missing.length > 0) {
    throw new BatonError('incapable_worker', `worker ${workerId} lacks ${missing.join(', ')} that task ${task.id} needs`, {
      workerId,
      missing,
    });
  }
}

/** Every capable online worker bid: the auction need not wait for its window. */
async function closeIfEveryoneBid(ctx: AppContext, id: number): Promise<void> {
  const [task, open] = await Promise.all([ctx.store.getTask(id), ctx.store.offersOfTask(id)]);
  const offer = open.find((o) => o.closedAt === null && o.kind === 'auction');
  if (!task || !offer) return;
  const workers = await ctx.presence.list();
  const capable = workers.filter((w) => w.online && task.capabilities.every((c) => w.capabilities.includes(c))).map((w) => w.id);
  const bids = (await ctx.store.bidsOfTask(id)).filter((b) => b.offerId === offer.id);
  if (everyoneBid(capable, bids)) await closeAuction(ctx, id);
}

/** Offers a task now, if it is still ready and unreserved (the push after a commit, `CriticalPush`). */
export async function offerTaskNow(ctx: AppContext, id: number): Promise<Task | null> {
  // Not `writeTasks`: this runs inside the push after a commit, which must not wait for itself.
  return ctx.store.transaction(async (tx) => {
    const task = await tx.getTask(id);
    if (task?.status !== 'queued' || task.reservedFor !== null) return null;
    return writerFor(ctx, newEffects()).offerIfReady(tx, task);
  });
}

export async function explainAssignment(ctx: AppContext, id: number): Promise<AssignmentExplanation> {
  const task = await getTask(ctx, id);
  const [workers, finished, offers, bids] = await Promise.all([
    ctx.presence.list(),
    recentFinished(ctx.store),
    ctx.store.offersOfTask(id),
    ctx.store.bidsOfTask(id),
  ]);
  const stats = statsByWorker(finished, task.capabilities);
  const candidates = workers.map((w) => ({
    id: w.id,
    capabilities: w.capabilities,
    online: w.online,
    load: w.currentTasks.length,
    concurrency: w.concurrency,
    stats: stats.get(w.id) ?? NO_STATS,
  }));
  const offer = offers.find((o) => o.closedAt === null) ?? offers.at(-1) ?? null;
  const load = new Map(candidates.map((c) => [c.id, c.load]));
  const ofOffer = offer?.kind === 'auction' ? bids.filter((b) => b.offerId === offer.id) : [];
  return {
    taskId: id,
    mode: assignmentOf(task, ctx.policy),
    offer,
    candidates: scoreCandidates(task.capabilities, candidates),
    bids: rankBids(ofOffer.map((b) => ({ ...b, load: load.get(b.workerId) ?? 0 }))),
  };
}
