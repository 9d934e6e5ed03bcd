import type Database from 'better-sqlite3';
import { type WorkflowRecord, workflowRecordOf } from '../../core/workflow/record.js';
import type { Row } from './rows.js';

/** The `workflows` table of the SQLite store (migration 7). */

type Statement = (sql: string) => Database.Statement;

const COLUMNS = 'name, version, description, definition, source, created_by, created_at';

export function latestWorkflow(stmt: Statement, name: string): WorkflowRecord | undefined {
  const row = stmt(`SELECT ${COLUMNS} FROM workflows WHERE name = ? ORDER BY version DESC LIMIT 1`).get(name) as Row | undefined;
  return row ? workflowRecordOf(row) : undefined;
}

export function workflowVersion(stmt: Statement, name: string, version: number): WorkflowRecord | undefined {
  const row = stmt(`SELECT ${COLUMNS} FROM workflows WHERE name = ? AND version = ?`).get(name, version) as Row | undefined;
  return row ? workflowRecordOf(row) : undefined;
}

/** One version of a workflow, the latest without `version`. */
export function readWorkflow(stmt: Statement, name: string, version: number | undefined): WorkflowRecord | undefined {
  return version === undefined ? latestWorkflow(stmt, name) : workflowVersion(stmt, name, version);
}

export function listWorkflows(stmt: Statement): WorkflowRecord[] {
  const rows = stmt(
    `SELECT ${COLUMNS} FROM workflows w WHERE version = (SELECT max(version) FROM workflows v WHERE v.name = w.name) ORDER BY name`,
  ).all() as Row[];
  return rows.map(workflowRecordOf);
}

export function insertWorkflow(stmt: Statement, w: WorkflowRecord): void {
  stmt(`INSERT INTO workflows (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    w.name,
    w.version,
    w.description,
    JSON.stringify(w.definition),
    w.source,
    w.createdBy,
    Date.parse(w.createdAt),
  );
}
