import type { Bid, Offer, OfferKind, OfferOutcome } from '../core/assignment.js';

/**
 * The store's side of assignment strategies (migration 18): push offers and auctions (`offers`),
 * and the bids of auctions (`bids`). At most one offer of a task is open at a time; closing one is
 * a compare-and-set, so of several processes closing it at once exactly one succeeds.
 */
export interface StoreOffers {
  /** Open offers, soonest to close first. */
  openOffers(limit: number): Promise<Offer[]>;
  /** Every offer of a task, oldest first. */
  offersOfTask(taskId: number): Promise<Offer[]>;
  /** Every bid on a task, in every auction of it, oldest first. */
  bidsOfTask(taskId: number): Promise<Bid[]>;
}

export interface OffersTx {
  insertOffer(offer: NewOffer): Promise<Offer>;
  /** The task's open offer, locked until the transaction ends (PostgreSQL `FOR UPDATE`). */
  openOfferOf(taskId: number): Promise<Offer | undefined>;
  offersOfTask(taskId: number): Promise<Offer[]>;
  /** Closes an offer still open; false (nothing written) when it was closed already. */
  closeOffer(id: number, close: OfferClose): Promise<boolean>;
  /** Adds a worker's bid in an auction, or replaces its earlier bid there. */
  putBid(bid: NewBid): Promise<Bid>;
  bidsOf(offerId: number): Promise<Bid[]>;
}

export interface NewOffer {
  taskId: number;
  kind: OfferKind;
  workerId: string | null;
  openedAt: number;
  closesAt: number;
}

export interface OfferClose {
  at: number;
  outcome: OfferOutcome;
  workerId: string | null;
}

export interface NewBid {
  offerId: number;
  taskId: number;
  workerId: string;
  score: number;
  etaSeconds: number | null;
  note: string | null;
  at: number;
}

type Row = Record<string, unknown>;
const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

export function offerOf(r: Row): Offer {
  return {
    id: Number(r.id),
    taskId: Number(r.task_id),
    kind: r.kind as OfferKind,
    workerId: (r.worker_id as string | null) ?? null,
    openedAt: iso(r.opened_at),
    closesAt: iso(r.closes_at),
    closedAt: r.closed_at === null || r.closed_at === undefined ? null : iso(r.closed_at),
    outcome: (r.outcome as OfferOutcome | null) ?? null,
  };
}

export function bidOf(r: Row): Bid {
  return {
    id: Number(r.id),
    offerId: Number(r.offer_id),
    taskId: Number(r.task_id),
    workerId: String(r.worker_id),
    score: Number(r.score),
    etaSeconds: r.eta_seconds === null || r.eta_seconds === undefined ? null : Number(r.eta_seconds),
    note: (r.note as string | null) ?? null,
    at: iso(r.at),
  };
}

/** The statements of both backends, written once: `$n` placeholders (SQLite reads them as numbered). */
export function offerStatements(table: (name: string) => string) {
  const offers = table('offers');
  const bids = table('bids');
  return {
    openOffers: `SELECT * FROM ${offers} WHERE closed_at IS NULL ORDER BY closes_at, id LIMIT $1`,
    offersOfTask: `SELECT * FROM ${offers} WHERE task_id = $1 ORDER BY id`,
    bidsOfTask: `SELECT * FROM ${bids} WHERE task_id = $1 ORDER BY at, id`,
    insertOffer: `INSERT INTO ${offers} (task_id, kind, worker_id, opened_at, closes_at) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    openOfferOf: `SELECT * FROM ${offers} WHERE task_id = $1 AND closed_at IS NULL`,
    closeOffer: `UPDATE ${offers} SET closed_at = $2, outcome = $3, worker_id = coalesce($4, worker_id)
      WHERE id = $1 AND closed_at IS NULL RETURNING id`,
    putBid: `INSERT INTO ${bids} (offer_id, task_id, worker_id, score, eta_seconds, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (offer_id, worker_id) DO UPDATE SET score = excluded.score, eta_seconds = excluded.eta_seconds,
      note = excluded.note, at = excluded.at RETURNING *`,
    bidsOf: `SELECT * FROM ${bids} WHERE offer_id = $1 ORDER BY at, id`,
  };
}
export type OfferStatements = ReturnType<typeof offerStatements>;

type Query = (text: string, params: readonly unknown[]) => Promise<Row[]>;

/** A shared statement for SQLite: each `$n` becomes a `?`, and the parameters follow in that order. */
export function positional(text: string, params: readonly unknown[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
    values.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql, values };
}

/** The reads, on any connection. */
export const offerReads = (st: OfferStatements, read: Query): StoreOffers => ({
  openOffers: async (limit) => (await read(st.openOffers, [limit])).map(offerOf),
  offersOfTask: async (taskId) => (await read(st.offersOfTask, [taskId])).map(offerOf),
  bidsOfTask: async (taskId) => (await read(st.bidsOfTask, [taskId])).map(bidOf),
});

/** The writes, in a transaction; `lock` is appended to reads of rows about to change. */
export const offerWrites = (st: OfferStatements, q: Query, lock: string): OffersTx => ({
  insertOffer: async (o) => offerOf((await q(st.insertOffer, [o.taskId, o.kind, o.workerId, o.openedAt, o.closesAt]))[0] as Row),
  openOfferOf: async (taskId) => {
    const [row] = await q(`${st.openOfferOf}${lock}`, [taskId]);
    return row ? offerOf(row) : undefined;
  },
  offersOfTask: async (taskId) => (await q(st.offersOfTask, [taskId])).map(offerOf),
  closeOffer: async (id, c) => (await q(st.closeOffer, [id, c.at, c.outcome, c.workerId])).length > 0,
  putBid: async (b) =>
    bidOf((await q(st.putBid, [b.offerId, b.taskId, b.workerId, b.score, b.etaSeconds, b.note, b.at]))[0] as Row),
  bidsOf: async (offerId) => (await q(st.bidsOf, [offerId])).map(bidOf),
});
