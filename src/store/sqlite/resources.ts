import type Database from 'better-sqlite3';
import type { Resource } from '../../core/resources.js';
import type { Row } from './rows.js';
import { SQL } from './sql.js';

/** The capacities for an export: present only when some resource has one. */
export function capacities(rows: Row[]): { resources?: { name: string; capacity: number }[] } {
  return rows.length > 0 ? { resources: rows.map((r) => ({ name: String(r.name), capacity: Number(r.capacity) })) } : {};
}

/** `Store.listResources` on SQLite: capacities, and the holders counted from executing tasks. */
export function readResources(stmt: (sql: string) => Database.Statement): Resource[] {
  return (stmt(SQL.listResources).all() as Row[]).map((r) => ({
    name: String(r.name),
    capacity: Number(r.capacity),
    holders: (JSON.parse(String(r.holders)) as number[]).sort((a, b) => a - b),
    waiting: Number(r.waiting),
  }));
}
