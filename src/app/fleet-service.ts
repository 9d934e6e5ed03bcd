import { type FleetReportInput, fleetReportSchema, type PoolStatus } from '../core/schemas/fleet.js';
import { parseWith } from '../core/schemas.js';
import type { CapabilityCount } from '../store/fleet.js';
import type { AppContext } from './context.js';

/**
 * Fleets at the store: the ready work per capability set a supervisor (or an outside autoscaler,
 * through /metrics) sizes pools by, and the pool reports that let `baton fleet status` answer from
 * any process. A pool turning degraded (crash-looping) leaves an event.
 */

const iso = (ms: number) => new Date(ms).toISOString();

export async function readyByCapabilities(ctx: AppContext): Promise<CapabilityCount[]> {
  return ctx.store.readyByCapabilities(await ctx.store.now());
}

export async function reportFleet(ctx: AppContext, raw: FleetReportInput): Promise<void> {
  const { supervisor, pools } = parseWith(fleetReportSchema, raw);
  const before = new Map((await ctx.store.listPools()).map((p) => [p.name, p.state]));
  const now = await ctx.store.now();
  if (pools.length === 0) await ctx.store.removePools(supervisor);
  for (const pool of pools) {
    await ctx.store.reportPool({ name: pool.name, supervisor, state: pool, updatedAt: now });
    if (pool.degraded === Boolean(before.get(pool.name)?.degraded)) continue;
    await ctx.store.transaction((tx) =>
      tx.appendEvent({
        taskId: null,
        workerId: null,
        actor: ctx.actor ?? supervisor,
        type: pool.degraded ? 'fleet_pool_degraded' : 'fleet_pool_recovered',
        at: iso(tx.now),
        changes: {},
        data: { pool: pool.name, supervisor, reason: pool.degradedReason, crashes: pool.crashes },
      }),
    );
  }
}

export async function fleetStatus(ctx: AppContext): Promise<PoolStatus[]> {
  return (await ctx.store.listPools()).map((p) => ({
    ...(p.state as unknown as PoolStatus),
    supervisor: p.supervisor,
    updatedAt: iso(p.updatedAt),
  }));
}
