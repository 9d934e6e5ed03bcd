import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { ManualClock } from '../../src/core/clock.js';
import { LIMITS } from '../../src/core/limits.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freshSchema, openPg } from './pg-test-db.js';

/**
 * The longest wait a claim may ask for, far past the test's own timeout: a claimer that missed its
 * wake-up sits the wait out and the test fails, however loaded the machine. How fast the wake-up
 * comes is measured by `npm run bench` (bench/latency.mjs), not here.
 */
const WAIT_SECONDS = LIMITS.claimWaitSeconds;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function twoProcessesWorth(extra = ''): Promise<{ producer: LocalBaton; worker: LocalBaton }> {
  const db = await freshSchema();
  cleanup.push(db.cleanup);
  // Separate stores (pools, LISTEN connections), as in two processes: the wake-up must come
  // through PostgreSQL, not through memory.
  const producer = await openPg({ db: `${db.url}${extra}`, actor: 'producer' });
  const worker = await openPg({ db: `${db.url}${extra}`, actor: 'worker' });
  cleanup.push(
    () => producer.close(),
    () => worker.close(),
  );
  return { producer, worker };
}

/** An idle claimer, then a task created through the other store: the claimer must get it, each time. */
async function expectPickups(producer: LocalBaton, worker: LocalBaton, samples: number): Promise<void> {
  for (let i = 0; i < samples; i++) {
    const claiming = worker.claim({ workerId: 'idle-worker', waitSeconds: WAIT_SECONDS });
    // Let the claimer find nothing and go idle before the task appears.
    await new Promise((r) => setTimeout(r, 60));
    const created = await producer.createTask({ title: `wake ${i}` });
    expect((await claiming)?.id).toBe(created.id);
    await worker.complete(created.id, { workerId: 'idle-worker' });
  }
}

describe('waking idle workers', () => {
  it('an idle claimer is woken by a task created elsewhere, every time', async () => {
    const { producer, worker } = await twoProcessesWorth();
    await expectPickups(producer, worker, 10);
  });

  it('a delayed task wakes its idle claimer when it falls due (not before), without a notification', async () => {
    const { producer, worker } = await twoProcessesWorth();
    const runAfter = new Date((await producer.store.now()) + 400).toISOString();
    const created = await producer.createTask({ title: 'later', runAfter });
    const task = await worker.claim({ workerId: 'idle-worker', waitSeconds: WAIT_SECONDS });
    expect(task?.id).toBe(created.id);
    expect(Date.parse(task?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(runAfter));
  });

  it('behind a transaction-mode pooler (no LISTEN) a claimer falls back to short polling', async () => {
    const { producer, worker } = await twoProcessesWorth('&pooler=transaction');
    await expectPickups(producer, worker, 5);
  });

  it("an idle wait is timed by the store's clock, not the machine's", async () => {
    const db = await freshSchema();
    cleanup.push(db.cleanup);
    const clock = new ManualClock();
    const store = await openPostgresStore({ url: db.url, clock });
    cleanup.push(() => store.close());
    // The first wait ends once LISTEN is up (a (re)listen wakes every waiter); the next is idle.
    await store.waitForWork?.(undefined, 10 * 60_000);
    let ended = false;
    const waiting = store.waitForWork?.(undefined, 10 * 60_000).then(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toBe(false);
    await clock.advance(10 * 60_000);
    await Promise.race([waiting, new Promise((r) => setTimeout(r, 5_000))]);
    expect(ended).toBe(true);
  });

  it('the event feed reaches every store on the database', async () => {
    const { producer, worker } = await twoProcessesWorth();
    const seen: number[] = [];
    const stop = worker.store.onEvents?.((id) => seen.push(id));
    expect(stop).toBeTypeOf('function');
    // The listener connects in the background, so write until the other store hears of a write.
    while (seen.length === 0) {
      await producer.createTask({ title: 'watched' });
      await new Promise((r) => setTimeout(r, 100));
    }
    stop?.();
    const written = (await producer.events({})).map((e) => e.id);
    expect(written).toEqual(expect.arrayContaining(seen));
  });
});
