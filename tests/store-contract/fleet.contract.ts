import { describe, expect, it } from 'vitest';
import type { StoreHarness } from './harness.js';

const pool = (degraded: boolean) => ({
  name: 'agents',
  capabilities: ['web'],
  min: 1,
  max: 4,
  concurrency: 1,
  target: 2,
  ready: 3,
  reason: 'scaled up: 3 ready',
  lastScaledAt: null,
  degraded,
  degradedReason: degraded ? '5 crashes in 60s' : null,
  crashes: degraded ? 5 : 0,
  members: [
    {
      workerId: 'agents-1',
      pid: 10,
      state: 'running' as const,
      startedAt: '2030-01-01T00:00:00.000Z',
      restarts: 0,
      idleSince: null,
    },
  ],
});

/** Fleets: ready work per capability set, pool reports, and a worker's breaker as registered. */
export function fleetContract(store: () => StoreHarness): void {
  describe('fleets and breakers', () => {
    it('counts ready tasks per queue and capability set (order-free), reports pools, and keeps a worker breaker', async () => {
      const baton = await store().open();
      const add = (capabilities: string[], queue?: string) =>
        baton.createTask({ title: 't', capabilities, queue, noBreakdown: true });
      await add(['web', 'css']);
      await add(['css', 'web']);
      await add(['web', 'css'], 'deploy');
      await add([]);
      const held = await add(['ops']);
      await baton.claimTask(held.id, { workerId: 'w-ops', capabilities: ['ops'] });
      expect(await baton.readyByCapabilities()).toEqual([
        { queue: 'default', capabilities: [], ready: 1 },
        { queue: 'default', capabilities: ['css', 'web'], ready: 2 },
        { queue: 'deploy', capabilities: ['css', 'web'], ready: 1 },
      ]);

      await baton.reportFleet({ supervisor: 'host:1', pools: [pool(false)] });
      await baton.reportFleet({ supervisor: 'host:1', pools: [pool(true)] });
      const [status] = await baton.fleetStatus();
      expect(status).toMatchObject({
        name: 'agents',
        supervisor: 'host:1',
        degraded: true,
        target: 2,
        members: [{ workerId: 'agents-1' }],
      });
      expect((await baton.events({ limit: 100 })).filter((e) => e.type === 'fleet_pool_degraded')).toHaveLength(1);
      await baton.reportFleet({ supervisor: 'host:1', pools: [] });
      expect(await baton.fleetStatus()).toEqual([]);

      const worker = await baton.registerWorker({ id: 'w-b', breaker: { failures: 3, cooldownSeconds: 60, rate: null } });
      expect(worker.breaker).toMatchObject({ mode: 'closed', consecutive: 0, config: { failures: 3 } });
      // Registering again without a breaker keeps it; null removes it.
      expect((await baton.registerWorker({ id: 'w-b' })).breaker?.config.failures).toBe(3);
      expect((await baton.registerWorker({ id: 'w-b', breaker: null })).breaker).toBeNull();
    });
  });
}
