import { type CapabilityCount, capabilityCountsOf, type PoolRecord } from '../fleet.js';
import type { Row } from './rows.js';
import { ident } from './sql.js';

/** Fleets on PostgreSQL (migration 15): their statements and row shapes. */
export function fleetStatements(schema: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  return {
    readyByCapabilities: `SELECT queue, capabilities, count(*)::int AS n FROM ${q('tasks')}
      WHERE status = 'queued' AND run_after <= $1 GROUP BY queue, capabilities`,
    reportPool: `INSERT INTO ${q('fleet_pools')} (name, supervisor, state, updated_at) VALUES ($1, $2, $3::text::json, $4)
      ON CONFLICT (name) DO UPDATE SET supervisor = excluded.supervisor, state = excluded.state, updated_at = excluded.updated_at`,
    removePools: `DELETE FROM ${q('fleet_pools')} WHERE supervisor = $1`,
    listPools: `SELECT * FROM ${q('fleet_pools')} ORDER BY name`,
  };
}

export const capabilityCountsOfRows = (rows: Row[]): CapabilityCount[] =>
  capabilityCountsOf(
    rows.map((r) => ({ queue: String(r.queue), capabilities: [...(r.capabilities as string[])], ready: Number(r.n) })),
  );

export const poolsOf = (rows: Row[]): PoolRecord[] =>
  rows.map((r) => ({
    name: String(r.name),
    supervisor: String(r.supervisor),
    state: r.state as Record<string, unknown>,
    updatedAt: Number(r.updated_at),
  }));
