import { type WorkflowRecord, workflowRecordOf } from '../../core/workflow/record.js';
import type { Row } from './rows.js';
import { ident } from './sql.js';

/** The statements of the `workflows` table of the PostgreSQL store (migration 7). */
export function workflowStatements(schema: string) {
  const t = `${ident(schema)}.workflows`;
  const cols = 'name, version, description, definition, source, created_by, created_at';
  return {
    /** Registrations of one name take turns until the end of their transactions. */
    lockName: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    latest: `SELECT ${cols} FROM ${t} WHERE name = $1 ORDER BY version DESC LIMIT 1`,
    version: `SELECT ${cols} FROM ${t} WHERE name = $1 AND version = $2`,
    list: `SELECT DISTINCT ON (name) ${cols} FROM ${t} ORDER BY name, version DESC`,
    insert: `INSERT INTO ${t} (${cols}) VALUES ($1, $2, $3, $4::text::json, $5, $6, $7)`,
  };
}

export const lockKey = (schema: string, name: string): string => `baton.workflow.${schema}.${name}`;

export function insertParams(w: WorkflowRecord): unknown[] {
  return [w.name, w.version, w.description, JSON.stringify(w.definition), w.source, w.createdBy, Date.parse(w.createdAt)];
}

export const recordsOf = (rows: Row[]): WorkflowRecord[] => rows.map(workflowRecordOf);
