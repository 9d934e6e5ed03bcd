import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { isBatonError } from '../../src/core/errors.js';
import { sqliteBackend, type TestStore } from '../helpers/stores.js';

/** The breaker as the store enforces it, in process: claims refused while open, the config's default. */

let opened: { baton: LocalBaton; store: TestStore }[] = [];
afterEach(async () => {
  for (const { baton, store } of opened) {
    await baton.close();
    await store.remove();
  }
  opened = [];
});

async function fresh(config: Record<string, unknown> = {}) {
  const store = await sqliteBackend.fresh();
  store.configure(config);
  const baton = await openBaton({ db: store.db });
  opened.push({ baton, store });
  return baton;
}

describe('circuit breaker at the store', () => {
  it('once open, claims answer nothing, a claim by id is refused with breaker_open, and the queue keeps its retries', async () => {
    const baton = await fresh({ retry: { policy: 'immediate' } });
    await baton.registerWorker({ id: 'w', breaker: { failures: 2, cooldownSeconds: 600, rate: null } });
    for (const i of [1, 2, 3, 4]) await baton.createTask({ title: `t${i}`, noBreakdown: true });
    // A report refused (a stale token) counts for nothing.
    const first = await baton.claim({ workerId: 'w' });
    const stale = await baton
      .fail(first?.id as number, { workerId: 'w', error: 'x', token: (first?.leaseToken ?? 0) + 5 })
      .catch((e: unknown) => e);
    expect(isBatonError(stale) && stale.code).toBe('stale_token');
    expect((await baton.listWorkers()).find((w) => w.id === 'w')?.breaker?.consecutive).toBe(0);
    await baton.release(first?.id as number, { workerId: 'w', token: first?.leaseToken });
    for (let i = 0; i < 2; i++) {
      const claimed = await baton.claim({ workerId: 'w' });
      await baton.fail(claimed?.id as number, { workerId: 'w', error: 'disk full', token: claimed?.leaseToken });
    }
    expect((await baton.listWorkers()).find((w) => w.id === 'w')?.breaker).toMatchObject({ mode: 'open', trips: 1 });
    expect(await baton.claim({ workerId: 'w' })).toBeNull();
    const untouched = (await baton.listTasks({ limit: 10 })).tasks.find((t) => t.attempts === 0);
    const refused = await baton.claimTask(untouched?.id as number, { workerId: 'w' }).catch((e: unknown) => e);
    expect(isBatonError(refused) && refused.code).toBe('breaker_open');
    expect((await baton.getTask(untouched?.id as number)).attempts).toBe(0);
    expect((await baton.status()).workers.breakersOpen).toBe(1);
    // Another worker is not held back.
    expect((await baton.claim({ workerId: 'other' }))?.id).toBeDefined();
  });

  it('workers.breaker in the config is the breaker of a worker registered without one; --no-breaker (null) removes it', async () => {
    const baton = await fresh({ workers: { breaker: '3,1m' } });
    expect((await baton.registerWorker({ id: 'w' })).breaker?.config).toEqual({ failures: 3, cooldownSeconds: 60, rate: null });
    expect((await baton.registerWorker({ id: 'w', breaker: null })).breaker).toBeNull();
    const own = await baton.registerWorker({ id: 'w', breaker: { failures: 7, cooldownSeconds: 5, rate: null } });
    expect(own.breaker?.config.failures).toBe(7);
  });

  it('a bad workers.breaker in the config is refused when the store opens', async () => {
    const store = await sqliteBackend.fresh();
    store.configure({ workers: { breaker: 'often' } });
    const err = await openBaton({ db: store.db }).catch((e: unknown) => e);
    await store.remove();
    expect(isBatonError(err) && err.code).toBe('invalid_config');
  });
});
