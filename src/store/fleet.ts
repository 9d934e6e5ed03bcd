/**
 * The store's side of fleets (migration 15): how many ready tasks each set of capabilities asks
 * for, so a supervisor or an outside autoscaler sizes pools by work they can serve, and the pool
 * reports a supervisor writes so that `baton fleet status` works from any process sharing the store.
 */
export interface StoreFleet {
  /** Tasks claimable at `nowMs` by any worker (queued, `runAfter` passed), per queue and distinct capability set. */
  readyByCapabilities(nowMs: number): Promise<CapabilityCount[]>;
  /** Writes (replaces) a pool's report. */
  reportPool(report: PoolRecord): Promise<void>;
  /** Removes the reports of `supervisor` (it stopped). */
  removePools(supervisor: string): Promise<void>;
  listPools(): Promise<PoolRecord[]>;
}

export interface CapabilityCount {
  /** The named queue the tasks are in (`default` unless given). */
  queue: string;
  /** Sorted. */
  capabilities: string[];
  ready: number;
}

export interface PoolRecord {
  name: string;
  /** Who runs the pool (`host:pid` of the supervisor). */
  supervisor: string;
  /** The pool's status as the supervisor saw it (see `app/fleet-types.ts`). */
  state: Record<string, unknown>;
  updatedAt: number;
}

/** Capability sets as the rows give them, merged (order within a set does not matter) and sorted. */
export function capabilityCountsOf(rows: CapabilityCount[]): CapabilityCount[] {
  const merged = new Map<string, CapabilityCount>();
  for (const r of rows) {
    const capabilities = [...r.capabilities].sort();
    const key = JSON.stringify([r.queue, capabilities]);
    const entry = merged.get(key) ?? { queue: r.queue, capabilities, ready: 0 };
    entry.ready += r.ready;
    merged.set(key, entry);
  }
  const order = (c: CapabilityCount) => `${c.queue}\u0000${c.capabilities.join(',')}`;
  return [...merged.values()].sort((a, b) => order(a).localeCompare(order(b)));
}
