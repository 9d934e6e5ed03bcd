import { afterAll, afterEach, expect } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { BatonError } from '../../src/core/errors.js';
import type { BatonDump, Task } from '../../src/core/types.js';

/** How another process reaches a test's store: the CLI arguments that name it, and where to run. */
export interface Reach {
  /** `--db URL` for a store opened in process, `--server URL` for one behind `baton serve`. */
  args: string[];
  cwd: string;
}

/** Which store of a test a run should give: its own, another one, or one under a config. */
export interface Slot {
  /** `main` is the test's own store; `another-N` the Nth other one. */
  name: string;
  /** The store owner's `config.yaml`, when the test needs a policy other than the defaults. */
  config?: Record<string, unknown>;
}

export interface OpenedStore {
  baton: Baton;
  reach: Reach;
  /** Called after the test that opened it. */
  release(): Promise<void>;
}

/**
 * One run of the contract: how it gets an empty store for a test. The contract itself knows only
 * `Baton`, so LocalBaton and RemoteBaton, on either store, are runs of the same tests.
 */
export interface ContractRun {
  /** How the output names it, such as "LocalBaton on SQLite". */
  readonly name: string;
  /** Who the changes a test makes are recorded as (`createdBy`, an event's `actor`). */
  readonly actor: string;
  /** How many tasks the race between worker processes drains (see `StoreHarness`). */
  readonly raceTasks: number;
  /** A Baton on an empty store, for one test. */
  open(slot: Slot): Promise<OpenedStore>;
  /** After the last test: stops what the run started and removes its stores. */
  close(): Promise<void>;
}

/** What a contract test holds: its stores, through `Baton` only. */
export interface StoreHarness {
  /** Who this test's changes are recorded as. */
  readonly actor: string;
  /**
   * How many tasks the race between worker processes drains. Through a server every claim is a
   * round trip to one process, so a remote run races over fewer tasks (the same eight workers
   * still contend for each) to keep the suite's time reasonable.
   */
  readonly raceTasks: number;
  /** This test's store, empty when the test starts; every call gives the same store. */
  open(): Promise<Baton>;
  /** Another empty store of the same backend. */
  openAnother(): Promise<Baton>;
  /** An empty store whose owner's `config.yaml` holds `config` (another policy). */
  openWithConfig(config: Record<string, unknown>): Promise<Baton>;
  /** How another process (a worker, the CLI) reaches this test's store. */
  reach(): Promise<Reach>;
}

/** The actor of in-process runs: whoever opens the store names it. */
export const ACTOR = 'contract-tester';

/**
 * Registers the hooks of one run: every test gets empty stores, given back after it, and the run
 * is closed after the suite. Call inside a `describe`; the returned function gives the current
 * test's harness.
 */
export function useStores(run: ContractRun): () => StoreHarness {
  let opened = new Map<string, Promise<OpenedStore>>();
  let others = 0;

  const acquire = (slot: Slot): Promise<OpenedStore> => {
    const key = slot.config ? `${slot.name} ${JSON.stringify(slot.config)}` : slot.name;
    let store = opened.get(key);
    if (!store) {
      store = run.open(slot);
      opened.set(key, store);
    }
    return store;
  };

  afterEach(async () => {
    const stores = [...opened.values()];
    opened = new Map();
    others = 0;
    // A store that failed to open has failed its test already; one that fails to close fails here.
    const results = await Promise.allSettled(
      stores.map((s) =>
        s.then(
          (o) => o.release(),
          () => undefined,
        ),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(() => run.close());

  const harness: StoreHarness = {
    actor: run.actor,
    raceTasks: run.raceTasks,
    open: async () => (await acquire({ name: 'main' })).baton,
    openAnother: async () => (await acquire({ name: `another-${++others}` })).baton,
    openWithConfig: async (config) => (await acquire({ name: 'configured', config })).baton,
    reach: async () => (await acquire({ name: 'main' })).reach,
  };
  return () => harness;
}

/** Awaits a call that must be refused and returns the error. */
export async function refusal(call: Promise<unknown>): Promise<BatonError> {
  try {
    await call;
  } catch (err) {
    return err as BatonError;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** Everything the store holds, minus the export time. */
export async function snapshot(baton: Baton): Promise<Omit<BatonDump, 'exportedAt'>> {
  const { exportedAt: _at, ...rest } = await baton.exportData();
  return rest;
}

/**
 * Expects `call` to be refused with `code` (and, for invalid input, a message naming `field`),
 * leaving every task, event and worker exactly as it was.
 */
export async function expectRefusedUnchanged(
  baton: Baton,
  call: () => Promise<unknown>,
  code: string,
  field?: string,
): Promise<BatonError> {
  const before = await snapshot(baton);
  const err = await refusal(call());
  expect(err.code, err.message).toBe(code);
  if (field !== undefined) {
    expect(err.message).toContain(field);
    expect(err.details?.field).toBe(field);
  }
  expect(await snapshot(baton)).toEqual(before);
  return err;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store's clock (the one leases and `runAfter` go by), in ms, as any client may read it. */
export async function storeNow(baton: Baton): Promise<number> {
  return Date.parse((await baton.health()).at);
}

/** Waits until the store's clock has passed `isoTime` (plus a margin). */
export async function waitPast(baton: Baton, isoTime: string, marginMs = 30): Promise<void> {
  const target = Date.parse(isoTime) + marginMs;
  for (;;) {
    const now = await storeNow(baton);
    if (now >= target) return;
    await sleep(Math.min(target - now, 200));
  }
}

/**
 * Claims for `workerId`, trying again for up to `withinMs` while nothing comes back. A server's own
 * lease sweep may hold a task's row for a moment, and a claim skips rows another transaction holds
 * (it never waits on them), so a single claim racing that sweep may find nothing.
 */
export async function claimSoon(baton: Baton, workerId: string, withinMs = 3000): Promise<Task | null> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const task = await baton.claim({ workerId });
    if (task || Date.now() >= deadline) return task;
    await sleep(50);
  }
}
