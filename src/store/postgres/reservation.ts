import type { Sql } from './connection.js';
import { connectionLost } from './connection.js';
import type { Row } from './rows.js';

export type Reserved = Awaited<ReturnType<Sql['reserve']>>;

/** How long to wait for a connection of the pool, or for a ROLLBACK, before giving up on it. */
const WAIT_MS = 5_000;

/**
 * When each pool last had a connection come free: a statement on it answered, or it handed one
 * out for a transaction. A pool that keeps doing so is busy, not stuck: under thousands of
 * concurrent callers a caller's turn can come after WAIT_MS, and failing it then (RESERVE_TIMEOUT
 * counts as an outage, see availability.ts) would turn a busy server into one that refuses
 * everything and replaces its pool.
 */
const lastFreed = new WeakMap<Sql, number>();

/** A statement on the pool `sql` answered: its connection is free again. */
export function poolMoved(sql: Sql): void {
  lastFreed.set(sql, Date.now());
}

/** The longest a caller waits for its turn, moving queue or not: a reservation the driver stranded (#1195) still ends. */
const MOST_WAIT_MS = 60_000;

/**
 * A connection reserved from the pool for one transaction. The driver (postgres.js 3.4.9) is not
 * safe with a reserved connection whose server goes away, and this guards each way it fails:
 * - a statement sent on it after its socket closed never settles, or throws from a timer and so
 *   kills the process (`Cannot read properties of null (reading 'write')`, porsager/postgres#1208);
 * - releasing it puts it back in the pool as if it were open, and later statements on it hang or
 *   crash the same way (#1199);
 * - a reservation still waiting when a connection drops may never settle (#1195).
 * So a connection goes back to the pool only just after it answered; one that failed on the way
 * is never written to or released again (the driver takes it back itself once its socket has
 * closed); and every wait on the driver is bounded.
 */
export class Reservation {
  private settled = false;

  private constructor(readonly conn: Reserved) {}

  /**
   * A connection for one transaction; rejects with `RESERVE_TIMEOUT` once no connection of the
   * pool came free for anyone for `waitMs` (a caller queued behind others waits while the queue moves,
   * up to MOST_WAIT_MS).
   */
  static acquire(sql: Sql, waitMs = WAIT_MS): Promise<Reservation> {
    const reserving = sql.reserve();
    const granted = reserving.then((conn) => {
      poolMoved(sql);
      return conn;
    });
    const giveUpAt = Date.now() + Math.max(waitMs, MOST_WAIT_MS);
    const stuckAt = () => Math.min(giveUpAt, (lastFreed.get(sql) ?? Number.NEGATIVE_INFINITY) + waitMs);
    return bounded(
      granted,
      waitMs,
      () => {
        // Too late for us: should it come after all, the pool gets it straight back.
        reserving.then(
          (conn) => conn.release(),
          () => {},
        );
        return driverError('RESERVE_TIMEOUT', `no connection of the pool became free within ${waitMs} ms`);
      },
      stuckAt,
    ).then((conn) => new Reservation(conn));
  }

  /** Back to the pool. Call it only right after a statement on it succeeded (COMMIT). */
  release(): void {
    if (this.settled) return;
    this.settled = true;
    this.conn.release();
  }

  /**
   * Ends a transaction that failed with `err`. A broken connection is left alone; any other gets
   * a ROLLBACK and goes back to the pool once it answers — however late, so none is lost.
   */
  async abandon(err: unknown, waitMs = WAIT_MS): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    // A connection that broke is closed or closing: a statement sent on it could only hang or crash.
    if (connectionLost(err)) return;
    const rollback = this.conn.unsafe('ROLLBACK').then(
      () => this.conn.release(),
      () => {},
    );
    await bounded(rollback, waitMs, () => null).catch(() => {});
  }
}

/**
 * Runs `body` in one transaction on a reserved connection: `begin` (which may add statements whose
 * results `body` gets, such as the clock), then COMMIT. `state.committing` turns true once COMMIT
 * is sent, from when the outcome of a lost connection is unknown.
 *
 * `unanswered`, when given, waits for the writes `body` sent without waiting for their answers
 * (they travel with the COMMIT) and throws the first one's failure. PostgreSQL answers the COMMIT
 * of a transaction that a failed statement ended with ROLLBACK, not with an error: that failure is
 * how the caller learns nothing was written.
 */
export async function inTransaction<T>(
  sql: Sql,
  begin: string,
  state: { committing: boolean },
  body: (conn: Reserved, begun: Row[][]) => Promise<T>,
  unanswered?: () => Promise<void>,
): Promise<T> {
  state.committing = false;
  const reservation = await Reservation.acquire(sql);
  let value: T;
  try {
    // BEGIN and what goes with it travel together: one round trip.
    const begun = (await reservation.conn.unsafe(begin)) as unknown as Row[][];
    value = await body(reservation.conn, begun);
    state.committing = true;
    await reservation.conn.unsafe('COMMIT');
  } catch (err) {
    await reservation.abandon(err);
    // A write sent earlier that failed is the cause of what failed after it; by now (the ROLLBACK
    // went after it) it has been answered, unless the connection is gone: then `err` says so.
    const cause = unanswered && (await answeredFailure(unanswered()));
    throw cause ?? err;
  }
  reservation.release();
  await unanswered?.();
  return value;
}

/**
 * Runs one statement in a transaction of its own whose settings are `settings` (`SET LOCAL …`),
 * with BEGIN and COMMIT sent along with it: one round trip, as the statement alone would take.
 * A statement that fails turns the COMMIT into a ROLLBACK; its error is thrown.
 */
export async function settingsForOne(sql: Sql, settings: string, statement: (conn: Reserved) => Promise<Row[]>): Promise<Row[]> {
  const reservation = await Reservation.acquire(sql);
  const { conn } = reservation;
  // All three are sent now, in order (the driver's queries go out once asked for an answer);
  // each failure is also taken here, so one left unanswered by a lost connection is not unhandled.
  const sent = [conn.unsafe(`BEGIN; ${settings}`), statement(conn), conn.unsafe('COMMIT')] as const;
  for (const answer of sent) (answer as Promise<unknown>).catch(() => {});
  try {
    await sent[0];
    const rows = await sent[1];
    await sent[2];
    reservation.release();
    return rows;
  } catch (err) {
    // The first failure decides; what comes after it is not waited for (a lost connection may
    // keep it unanswered until the database is back).
    await reservation.abandon(err);
    throw err;
  }
}

/** The failure of `writes` if they have failed by the next turn of the event loop; else undefined. */
function answeredFailure(writes: Promise<void>): Promise<unknown> {
  const failure = writes.then(
    () => undefined,
    (err: unknown) => err,
  );
  return Promise.race([failure, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
}

/**
 * `promise`, or what `onTimeout` gives (thrown when it is an error) once `ms` have passed — or,
 * with `until`, once the time it names has passed too (asked again each time the wait ends).
 */
function bounded<T>(promise: Promise<T>, ms: number, onTimeout: () => unknown, until?: () => number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expire = () => {
      const later = (until?.() ?? 0) - Date.now();
      if (later > 0) {
        timer = setTimeout(expire, later);
        return;
      }
      const outcome = onTimeout();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome as T);
    };
    let timer = setTimeout(expire, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** An error shaped as the driver's, so the store classifies it with the driver's codes. */
function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
