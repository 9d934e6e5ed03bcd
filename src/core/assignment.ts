import { ASSIGNMENT_MODES, type AssignmentMode, type Policy } from './policy.js';
import type { ScoredCandidate } from './push.js';
import type { Task } from './types.js';

/**
 * Assignment strategies: how a ready task reaches a worker.
 *
 * - `pull`: workers ask for work (the claim); nothing is offered.
 * - `hybrid`: pull, but `critical` tasks are pushed to the best idle worker (`core/push.ts`).
 * - `push`: every ready task is pushed; a worker that does not claim it within `push.acceptWithin`
 *   loses it to the next best.
 * - `auction`: a ready task is announced; capable online workers bid; when the window closes (or
 *   every capable online worker bid) the best bid gets the reservation. No bid: back to pull.
 *
 * The mode of a task: its own (`add --assignment`, kept as the tag `assignment:MODE`), else its
 * queue's (`queues.NAME.assignment`), else the store's (`assignment`).
 */

export const ASSIGNMENT_TAG_PREFIX = 'assignment:';

/**
 * Who an auctioned task is reserved for while bids come in: not a valid worker id (`~` is refused
 * by `workerIdSchema`), so no worker can claim it until the auction names one.
 */
export const AUCTION_HOLDER = '~auction';

/** A push offer or an auction, as stored (migration 18). */
export interface Offer {
  id: number;
  taskId: number;
  kind: OfferKind;
  /** push: the worker the task was pushed to; auction: the winner, once closed. */
  workerId: string | null;
  openedAt: string;
  closesAt: string;
  closedAt: string | null;
  outcome: OfferOutcome | null;
}
export type OfferKind = 'push' | 'auction';
/**
 * push: `accepted` (claimed), `expired` (not claimed in time: next best), `gone` (the task moved on
 * otherwise). auction: `won`, `no_bids` (back to pull), `gone`.
 */
export type OfferOutcome = 'accepted' | 'expired' | 'gone' | 'won' | 'no_bids';

/** One worker's bid in one auction. */
export interface Bid {
  id: number;
  offerId: number;
  taskId: number;
  workerId: string;
  /** Higher is better (0–1 by convention). */
  score: number;
  etaSeconds: number | null;
  note: string | null;
  at: string;
}

/** The mode a task is assigned by: its own, its queue's, the store's. */
export function assignmentOf(task: Pick<Task, 'tags' | 'queue'>, policy: Policy): AssignmentMode {
  for (const tag of task.tags) {
    if (!tag.startsWith(ASSIGNMENT_TAG_PREFIX)) continue;
    const mode = tag.slice(ASSIGNMENT_TAG_PREFIX.length);
    if (isAssignmentMode(mode)) return mode;
  }
  return policy.queues[task.queue]?.assignment ?? policy.assignment;
}

export function isAssignmentMode(value: string): value is AssignmentMode {
  return (ASSIGNMENT_MODES as readonly string[]).includes(value);
}

/** The tags of a task created with its own mode: any other `assignment:` tag gives way to it. */
export function tagsWithAssignment(tags: readonly string[], mode: AssignmentMode | undefined): string[] {
  if (mode === undefined) return [...tags];
  return [...tags.filter((t) => !t.startsWith(ASSIGNMENT_TAG_PREFIX)), `${ASSIGNMENT_TAG_PREFIX}${mode}`];
}

/** What a ready, unreserved task gets when it becomes ready: a push, an auction, or nothing. */
export function offerFor(task: Pick<Task, 'tags' | 'queue' | 'priority'>, policy: Policy): OfferKind | null {
  const mode = assignmentOf(task, policy);
  if (mode === 'push' || (mode === 'hybrid' && task.priority === 'critical')) return 'push';
  if (mode === 'auction') return 'auction';
  return null;
}

/** A bid as ranked: with the load of its worker when the auction closes. */
export interface RankedBid extends Bid {
  load: number;
}

/** Orders bids best first: highest score, then the least loaded worker, then the earliest bid. */
export function rankBids<B extends RankedBid>(bids: readonly B[]): B[] {
  return [...bids].sort((a, b) => b.score - a.score || a.load - b.load || Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
}

/** Whether every capable online worker has bid, so the auction need not wait for its window. */
export function everyoneBid(capableOnline: readonly string[], bids: readonly Pick<Bid, 'workerId'>[]): boolean {
  if (capableOnline.length === 0) return false;
  const bidders = new Set(bids.map((b) => b.workerId));
  return capableOnline.every((w) => bidders.has(w));
}

/** Why a task goes (or would go) to whom: the mode, the scoring of every worker, the offer and its bids. */
export interface AssignmentExplanation {
  taskId: number;
  mode: AssignmentMode;
  /** The open offer, else the newest one; null when the task was never offered. */
  offer: Offer | null;
  /** Every registered worker scored for this task (`core/push.ts`), best eligible first. */
  candidates: ScoredCandidate[];
  /** The bids of `offer` when it is an auction, best first (score, then load, then earliest). */
  bids: (Bid & { load: number })[];
}
