import type { Resource } from '../../core/resources.js';
import type { PostgresStore } from './postgres-store.js';
import { settingsForOne } from './reservation.js';
import type { Row } from './rows.js';

/**
 * Claims run with a generic plan, kept by the connection. Left to choose, PostgreSQL plans the
 * claim statement afresh on every claim (about 2 ms, seven times its run): its parameters that
 * switch parts of it off (no queue filter, no cap, no resources) make each custom plan look
 * cheaper than the generic one, which runs as fast.
 */
const GENERIC_PLAN = 'SET LOCAL plan_cache_mode = force_generic_plan';

/**
 * Resources on PostgreSQL. A claim that may take a task holding resources first takes a
 * transaction-scoped advisory lock per resource that ready tasks name (sorted, so claimers never
 * deadlock), then runs the claim statement in the same transaction: that statement's snapshot is
 * taken after the locks, so it counts every holder committed by the claimer before it, and two
 * servers sharing the database can never exceed a capacity. With no ready task holding resources
 * the claim is the usual single statement, told to take none.
 *
 * A claim under caps (`capped`: `limits.maxExecuting`, a queue's `maxExecuting`) first takes one
 * more lock, the same for every capped claim of the schema and before any resource's, so capped
 * claims take turns and each counts the leases of those before it.
 */
export async function claimRows(
  store: PostgresStore,
  statement: string,
  args: readonly unknown[],
  capped: boolean,
): Promise<Row[]> {
  const [named] = await store.exec(store.sql, store.st.readyResources);
  const names = (named?.names as string[] | undefined) ?? [];
  if (names.length === 0 && !capped) {
    return settingsForOne(store.sql, GENERIC_PLAN, (conn) => store.exec(conn, statement, [...args, false]));
  }
  return (await store.sql.begin(async (tx) => {
    await tx.unsafe(GENERIC_PLAN);
    if (capped) await store.exec(tx, store.st.lockResources, [['caps'], `baton.claim.${store.st.schema}.`]);
    if (names.length > 0) await store.exec(tx, store.st.lockResources, [names, `baton.resource.${store.st.schema}.`]);
    return store.exec(tx, statement, [...args, names.length > 0]);
  })) as unknown as Row[];
}

/** The capacities for an export: present only when some resource has one. */
export function capacities(rows: Row[]): { resources?: { name: string; capacity: number }[] } {
  return rows.length > 0 ? { resources: rows.map((r) => ({ name: String(r.name), capacity: Number(r.capacity) })) } : {};
}

export async function listResources(store: PostgresStore): Promise<Resource[]> {
  const rows = await store.exec(store.sql, store.st.listResources);
  return rows.map((r) => ({
    name: String(r.name),
    capacity: Number(r.capacity),
    holders: (r.holders as unknown[]).map(Number),
    waiting: Number(r.waiting),
  }));
}
