import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
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

async function fresh(config: Record<string, unknown> = {}, clock?: ManualClock) {
  const store = await sqliteBackend.fresh();
  store.configure(config);
  const baton = await openBaton({ db: store.db, clock });
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

  it('raises breaker_open per worker and pool_degraded per pool once, and resolves each when it ends', async () => {
    const clock = new ManualClock();
    const baton = await fresh({}, clock);
    await baton.registerWorker({ id: 'w', breaker: { failures: 1, cooldownSeconds: 60, rate: null } });
    for (const i of [1, 2]) await baton.createTask({ title: `t${i}`, noBreakdown: true });
    const claimed = await baton.claim({ workerId: 'w' });
    await baton.fail(claimed?.id as number, { workerId: 'w', error: 'disk full', token: claimed?.leaseToken });
    const pool = (degraded: boolean) => ({
      ...{ name: 'gpu', capabilities: [], min: 0, max: 2, concurrency: 1, target: 1, ready: 1, reason: 'ready work' },
      ...{ lastScaledAt: null, degraded, degradedReason: degraded ? 'crashed 5 times in 60 s' : null, crashes: 5, members: [] },
    });
    await baton.reportFleet({ supervisor: 'host:1', pools: [pool(true)] });
    const open = async () => (await baton.alerts({ open: true })).filter((a) => a.kind !== 'sla_breached');
    const raised = (await baton.notify()).alerts.map((a) => [a.kind, a.key, a.data]);
    expect(raised).toEqual(
      expect.arrayContaining([
        ['breaker_open', 'breaker_open:w', expect.objectContaining({ workerId: 'w', trips: 1 })],
        ['pool_degraded', 'pool_degraded:gpu', { pool: 'gpu', supervisor: 'host:1', reason: 'crashed 5 times in 60 s' }],
      ]),
    );
    // Still holding on the next look: nothing raised twice.
    await clock.advance(15_000);
    expect((await baton.notify()).alerts.filter((a) => a.kind !== 'sla_breached')).toEqual([]);
    expect((await open()).map((a) => a.key).sort()).toEqual(['breaker_open:w', 'pool_degraded:gpu']);
    // The cooldown passes, the probe succeeds and closes the breaker; the pool recovers.
    await clock.advance(60_000);
    const probe = await baton.claim({ workerId: 'w' });
    await baton.complete(probe?.id as number, { workerId: 'w', token: probe?.leaseToken });
    expect((await baton.listWorkers()).find((w) => w.id === 'w')?.breaker?.mode).toBe('closed');
    await baton.reportFleet({ supervisor: 'host:1', pools: [pool(false)] });
    await baton.notify();
    expect(await open()).toEqual([]);
    const ended = (await baton.alerts()).filter((a) => a.kind === 'breaker_open' || a.kind === 'pool_degraded');
    expect(ended.map((a) => a.resolvedAt !== null)).toEqual([true, true]);
  });
});
