import type Database from 'better-sqlite3';
import { type TriggerChange, type TriggerState, triggerOf } from '../../core/workflow/triggers.js';
import type { Row } from './rows.js';

/** The `workflow_triggers` table of the SQLite store (migration 10). */

type Statement = (sql: string) => Database.Statement;

const COLUMNS = 'workflow, idx, version, kind, next_at, cursor, last_fired_at, last_run_id';
const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
export function listTriggers(stmt: Statement): TriggerState[] {
  return (stmt(`SELECT ${COLUMNS} FROM workflow_triggers ORDER BY workflow, idx`).all() as Row[]).map(triggerOf);
}

export function setTriggers(stmt: Statement, workflow: string, states: readonly TriggerState[]): void {
  stmt('DELETE FROM workflow_triggers WHERE workflow = ?').run(workflow);
  const insert = stmt(`INSERT INTO workflow_triggers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const s of states) {
    insert.run(s.workflow, s.index, s.version, s.kind, ms(s.nextAt), s.cursor, ms(s.lastFiredAt), s.lastRunId);
  }
}

/** Compare and set: true when the row was still as `prev` read it. */
export function updateTrigger(stmt: Statement, prev: TriggerState, next: TriggerChange): boolean {
  const info = stmt(
    `UPDATE workflow_triggers SET next_at = ?, cursor = ?, last_fired_at = ?, last_run_id = ?
     WHERE workflow = ? AND idx = ? AND version = ? AND next_at IS ? AND cursor IS ?`,
  ).run(
    ms(next.nextAt),
    next.cursor,
    ms(next.lastFiredAt),
    next.lastRunId,
    prev.workflow,
    prev.index,
    prev.version,
    ms(prev.nextAt),
    prev.cursor,
  );
  return info.changes === 1;
}
