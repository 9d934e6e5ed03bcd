import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, SweepDue } from '../../src/store/store.js';
import { postgresBackend, type StoreBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

/**
 * A sweep (every 100 ms in every process) first asks the store, in one statement, which of its
 * reads could find anything, and skips the others. Each flag must be true whenever its read would
 * find something, or the sweep would leave that work undone.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(backend: StoreBackend): Promise<{ baton: LocalBaton; store: Store }> {
  const test: TestStore = await backend.fresh();
  cleanups.push(() => test.remove());
  const baton = await openBaton({ db: test.db, cwd: test.cwd, create: true, actor: 'tester' });
  cleanups.push(() => baton.close());
  // The same store, opened beside the Baton: the look is the store's, below the app.
  const store =
    backend.name === 'SQLite' ? openSqliteStore(test.db, { create: false }) : await openPostgresStore({ url: test.db });
  cleanups.push(() => store.close());
  return { baton, store };
}

const nothing = { leases: false, reserved: false, offers: false, recurrences: false, triggers: false, runs: false };
const flags = ({ nowMs: _now, ...rest }: SweepDue) => rest;

describe.each([sqliteBackend, postgresBackend])('the sweep’s look on $name', (backend) => {
  it('finds nothing in an empty store, and the store’s clock', async () => {
    const { store } = await open(backend);
    const due = await store.sweepDue();
    expect(flags(due)).toEqual(nothing);
    expect(Math.abs(due.nowMs - (await store.now()))).toBeLessThan(5_000);
  });

  it('sees an expired lease only once it expired, and a reserved task', async () => {
    const { baton, store } = await open(backend);
    await baton.createTask({ title: 'held' });
    await baton.createTask({ title: 'reserved' });
    await baton.registerWorker({ id: 'w1' });
    const held = await baton.claim({ workerId: 'w1', leaseSeconds: 1 });
    expect(held?.title).toBe('held');
    expect((await store.sweepDue()).leases).toBe(false);
    const other = (await baton.listTasks({ status: ['queued'] })).tasks[0];
    await baton.assignTask(other?.id as number, 'w1');
    expect(flags(await store.sweepDue())).toEqual({ ...nothing, reserved: true });
    await sleep(1_200);
    expect(flags(await store.sweepDue())).toEqual({ ...nothing, reserved: true, leases: true });
    // The sweep itself requeues it, and then the look finds no expired lease.
    await baton.expireLeases();
    expect((await store.sweepDue()).leases).toBe(false);
  });

  it('sees a recurring task fall due, a workflow trigger and a run waiting on time', async () => {
    const { baton, store } = await open(backend);
    await baton.addWorkflow('name: nap\nsteps:\n  - id: rest\n    wait: { duration: 1s }\n');
    await baton.startRun('nap');
    await baton.addWorkflow('name: tick\nsteps:\n  - id: beat\n    task: { title: Tick }\ntriggers:\n  - cron: "0 0 1 1 *"\n');
    await baton.createTask({ title: 'every second', every: '* * * * * *' });
    const first = flags(await store.sweepDue());
    expect(first.triggers).toBe(true);
    await sleep(2_100);
    expect(flags(await store.sweepDue())).toMatchObject({ triggers: true, recurrences: true, runs: true });
  });
});
