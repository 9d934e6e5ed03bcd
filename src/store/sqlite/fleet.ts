import type Database from 'better-sqlite3';
import { type CapabilityCount, capabilityCountsOf, type PoolRecord } from '../fleet.js';
import type { Row } from './rows.js';

type Stmt = (sql: string) => Database.Statement;

/** Fleets on SQLite (migration 15): ready tasks per capability set, and pool reports. */
export function readyByCapabilities(stmt: Stmt, nowMs: number): CapabilityCount[] {
  const rows = stmt(
    "SELECT queue, capabilities, count(*) AS n FROM tasks WHERE status = 'queued' AND run_after <= ? GROUP BY queue, capabilities",
  ).all(nowMs) as Row[];
  return capabilityCountsOf(
    rows.map((r) => ({ queue: String(r.queue), capabilities: JSON.parse(String(r.capabilities)), ready: Number(r.n) })),
  );
}

export function reportPool(stmt: Stmt, r: PoolRecord): void {
  stmt(
    `INSERT INTO fleet_pools (name, supervisor, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET supervisor = excluded.supervisor, state = excluded.state, updated_at = excluded.updated_at`,
  ).run(r.name, r.supervisor, JSON.stringify(r.state), r.updatedAt);
}

export function removePools(stmt: Stmt, supervisor: string): void {
  stmt('DELETE FROM fleet_pools WHERE supervisor = ?').run(supervisor);
}

export function listPools(stmt: Stmt): PoolRecord[] {
  return (stmt('SELECT * FROM fleet_pools ORDER BY name').all() as Row[]).map((r) => ({
    name: String(r.name),
    supervisor: String(r.supervisor),
    state: JSON.parse(String(r.state)) as Record<string, unknown>,
    updatedAt: Number(r.updated_at),
  }));
}
