import { afterEach, beforeEach, expect } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { BatonError } from '../../src/core/errors.js';
import type { Policy } from '../../src/core/policy.js';
import type { StoreDump } from '../../src/store/store.js';

/** Gives each test an empty database of the backend under test. */
export type FreshDb = () => Promise<{ url: string; cleanup: () => Promise<void> }>;

export interface StoreHarness {
  /** URL of this test's database. */
  readonly url: string;
  /** Opens this test's store (closed after the test). */
  open(options?: { actor?: string }): Promise<LocalBaton>;
  /** Opens another, empty store of the same backend (closed and removed after the test). */
  openAnother(options?: { actor?: string }): Promise<LocalBaton>;
}

export const ACTOR = 'contract-tester';

/**
 * Registers hooks that give every test its own database. Call inside a `describe`; the returned
 * function gives the current test's harness.
 */
export function useFreshStore(freshDb: FreshDb): () => StoreHarness {
  let current: StoreHarness | null = null;
  let batons: LocalBaton[] = [];
  let cleanups: (() => Promise<void>)[] = [];

  const openAt = async (url: string, actor = ACTOR) => {
    const baton = await openBaton({ db: url, create: true, actor });
    batons.push(baton);
    return baton;
  };

  beforeEach(async () => {
    const db = await freshDb();
    cleanups.push(db.cleanup);
    current = {
      url: db.url,
      open: (options = {}) => openAt(db.url, options.actor),
      openAnother: async (options = {}) => {
        const other = await freshDb();
        cleanups.push(other.cleanup);
        return openAt(other.url, options.actor);
      },
    };
  });

  afterEach(async () => {
    for (const baton of batons) await baton.close();
    for (const cleanup of cleanups) await cleanup();
    batons = [];
    cleanups = [];
    current = null;
  });

  return () => {
    if (!current) throw new Error('the store harness is only available inside a test');
    return current;
  };
}

/** The same store under a different policy (e.g. fast aging), as another configuration would open it. */
export function withPolicy(baton: LocalBaton, policy: Partial<Policy>, random?: () => number): LocalBaton {
  return new LocalBaton({
    store: baton.store,
    policy: { ...baton.policy, ...policy },
    actor: ACTOR,
    ...(random ? { random } : {}),
  });
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
export async function snapshot(baton: LocalBaton): Promise<Omit<StoreDump, 'exportedAt'>> {
  const { exportedAt: _at, ...rest } = await baton.exportData();
  return rest;
}

/**
 * Expects `call` to be refused with `code` (and, for invalid input, a message naming `field`),
 * leaving every task, event and worker exactly as it was.
 */
export async function expectRefusedUnchanged(
  baton: LocalBaton,
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

/** Waits until the store's clock has passed `isoTime` (plus a margin). */
export async function waitPast(baton: LocalBaton, isoTime: string, marginMs = 30): Promise<void> {
  const target = Date.parse(isoTime) + marginMs;
  for (;;) {
    const now = await baton.store.now();
    if (now >= target) return;
    await sleep(Math.min(target - now, 200));
  }
}
