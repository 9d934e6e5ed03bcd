import { AUCTION_HOLDER, type Offer, offerFor } from '../core/assignment.js';
import { assignPatch } from '../core/lifecycle.js';
import type { Policy } from '../core/policy.js';
import { claimOnly } from '../core/teams.js';
import type { Task } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import { HISTORY_WINDOW, pushTarget } from './hybrid-push.js';
import type { TaskWriter } from './task-writer.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Offers a task the moment it is written ready, in the same transaction (`core/assignment.ts`):
 * under `push` (and `hybrid` for critical tasks) it is reserved for the best online idle worker
 * able to do it, with a push offer that expires after `push.acceptWithin`; under `auction` it is
 * reserved for the auction (`AUCTION_HOLDER`) while bids come in. No claim can see it unreserved
 * meanwhile: it was never committed unreserved. A task only a claim may settle (a team's, a
 * swarm attempt) is never offered.
 */
export async function offerReady(tx: StoreTx, writer: TaskWriter, task: Task, policy: Policy): Promise<Task> {
  // Team membership and swarm siblings are checked by the claim alone: such tasks are pulled.
  if (task.status !== 'queued' || task.reservedFor !== null || claimOnly(task)) return task;
  const kind = offerFor(task, policy);
  if (kind === null) return task;
  const offers = await tx.offersOfTask(task.id);
  if (kind === 'push') return pushNow(tx, writer, task, { policy, offers });
  return auctionClosedSilent(task, offers) ? task : openAuction(tx, writer, task, policy, offers);
}

interface PushArgs {
  policy: Policy;
  offers: readonly Offer[];
}

async function pushNow(tx: StoreTx, writer: TaskWriter, task: Task, { policy, offers }: PushArgs): Promise<Task> {
  const view = await tx.pushView(HISTORY_WINDOW);
  const worker = pushTarget(view, task, tx.now, policy, declinedBy(offers));
  if (worker === null) {
    writer.noteReady(task);
    return task;
  }
  await closeStale(tx, offers);
  const closesAt = tx.now + policy.pushAcceptWithinSeconds * 1000;
  await tx.insertOffer({ taskId: task.id, kind: 'push', workerId: worker, openedAt: tx.now, closesAt });
  const patch = assignPatch(task, worker, writer.clock(tx));
  return writer.apply(tx, task, { type: 'assigned', patch, data: { worker, pushed: true, acceptBy: iso(closesAt) } });
}

async function openAuction(tx: StoreTx, writer: TaskWriter, task: Task, policy: Policy, offers: readonly Offer[]): Promise<Task> {
  await closeStale(tx, offers);
  const closesAt = tx.now + policy.auctionWindowSeconds * 1000;
  const offer = await tx.insertOffer({ taskId: task.id, kind: 'auction', workerId: null, openedAt: tx.now, closesAt });
  const patch = assignPatch(task, AUCTION_HOLDER, writer.clock(tx));
  const data = { auction: offer.id, closesAt: iso(closesAt), windowSeconds: policy.auctionWindowSeconds };
  return writer.apply(tx, task, { type: 'auction_opened', patch, data });
}

/** Workers a push of this task expired with: the next push goes to someone else. */
export function declinedBy(offers: readonly Offer[]): Set<string> {
  return new Set(
    offers.filter((o) => o.kind === 'push' && o.outcome === 'expired' && o.workerId).map((o) => o.workerId as string),
  );
}

/**
 * The task's newest auction, opened since it last became ready, closed without a bid: it stays
 * with pull until it is ready anew (a retry, a release), rather than being auctioned forever.
 */
function auctionClosedSilent(task: Task, offers: readonly Offer[]): boolean {
  const last = offers.filter((o) => o.kind === 'auction').at(-1);
  if (last?.outcome !== 'no_bids') return false;
  return task.readyAt === null || Date.parse(last.openedAt) >= Date.parse(task.readyAt);
}

/** An offer left open on a task that is ready and unreserved again no longer means anything. */
async function closeStale(tx: StoreTx, offers: readonly Offer[]): Promise<void> {
  for (const o of offers) {
    if (o.closedAt === null) await tx.closeOffer(o.id, { at: tx.now, outcome: 'gone', workerId: null });
  }
}
