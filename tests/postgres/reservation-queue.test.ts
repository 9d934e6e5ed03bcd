import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { poolMoved, Reservation } from '../../src/store/postgres/reservation.js';
import { PG_URL } from './pg-test-db.js';

/**
 * A transaction waits for a connection of the pool while the pool keeps handing connections out,
 * however long its turn takes: only a pool that hands out none for the whole wait is given up on
 * (RESERVE_TIMEOUT, which the store takes for an outage). Thousands of agents claiming through one
 * server queue far longer than that wait behind each other.
 */

const pools: postgres.Sql[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end({ timeout: 5 });
});

/** A pool of one connection, already connected (connecting is not what is timed). */
async function onePool(): Promise<postgres.Sql> {
  const pool = postgres(PG_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  pools.push(pool);
  await pool.unsafe('SELECT 1');
  return pool;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Reservation.acquire on a pool of one connection', () => {
  it('serves a queue that lasts many waits, as long as the connection keeps coming free', async () => {
    const pool = await onePool();
    const waitMs = 150;
    // Twelve transactions of 50 ms each: the last one's turn comes after about 600 ms, four waits.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, async () => {
        const r = await Reservation.acquire(pool, waitMs);
        await r.conn.unsafe('SELECT pg_sleep(0.05)');
        r.release();
      }),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
  });

  it('waits while plain statements keep the connection busy, each answering in time', async () => {
    const pool = await onePool();
    const waitMs = 150;
    // Queued first: eight statements of 50 ms hold the one connection for about 400 ms. The store
    // marks each answer on its pool (PostgresStore.exec), as here.
    const statements = Array.from({ length: 8 }, () => pool.unsafe('SELECT pg_sleep(0.05)').then(() => poolMoved(pool)));
    const reservation = await Reservation.acquire(pool, waitMs);
    reservation.release();
    await Promise.all(statements);
  });

  it('gives up with RESERVE_TIMEOUT once no connection came free for the whole wait', async () => {
    const pool = await onePool();
    const held = await Reservation.acquire(pool, 150);
    try {
      const started = Date.now();
      const error = await Reservation.acquire(pool, 150).then(
        () => null,
        (err: unknown) => err as { code?: string },
      );
      expect(error?.code).toBe('RESERVE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      held.release();
    }
    // The connection given back serves the next caller.
    await sleep(10);
    const again = await Reservation.acquire(pool, 1_000);
    again.release();
  });
});
