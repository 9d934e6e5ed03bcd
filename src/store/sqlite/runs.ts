import type Database from 'better-sqlite3';
import { type NewRun, runOf, type WorkflowRun, wakeAtOf } from '../../core/workflow/run.js';
import type { RunPatch, RunQuery } from '../store.js';
import type { Row } from './rows.js';

/** The `workflow_runs` table of the SQLite store (migration 9). */

type Statement = (sql: string) => Database.Statement;

const COLUMNS =
  'id, workflow, version, params, status, parent_task_id, steps, error, created_by, created_at, updated_at, finished_at, revision';
const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export function getRun(stmt: Statement, id: number): WorkflowRun | undefined {
  const row = stmt(`SELECT ${COLUMNS} FROM workflow_runs WHERE id = ?`).get(id) as Row | undefined;
  return row ? runOf(row) : undefined;
}

export function listRuns(stmt: Statement, q: RunQuery): WorkflowRun[] {
  if (q.dueBy !== undefined) {
    const sql = `SELECT ${COLUMNS} FROM workflow_runs WHERE status = 'running' AND wake_at <= ? ORDER BY wake_at LIMIT ?`;
    return (stmt(sql).all(q.dueBy, q.limit ?? 100) as Row[]).map(runOf);
  }
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.workflow !== undefined) {
    where.push('workflow = ?');
    args.push(q.workflow);
  }
  if (q.status !== undefined) {
    where.push('status = ?');
    args.push(q.status);
  }
  const sql = `SELECT ${COLUMNS} FROM workflow_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return (stmt(sql).all(...args, q.limit ?? 100) as Row[]).map(runOf);
}

export function insertRun(stmt: Statement, run: NewRun): WorkflowRun {
  const info = stmt(
    `INSERT INTO workflow_runs (workflow, version, params, status, parent_task_id, steps, error, created_by, created_at, updated_at, finished_at, revision, wake_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  ).run(
    run.workflow,
    run.version,
    JSON.stringify(run.params),
    run.status,
    run.parentTaskId,
    JSON.stringify(run.steps),
    run.error,
    run.createdBy,
    ms(run.createdAt),
    ms(run.updatedAt),
    ms(run.finishedAt),
    wakeAtOf(run),
  );
  return getRun(stmt, Number(info.lastInsertRowid)) as WorkflowRun;
}

export function updateRun(stmt: Statement, run: WorkflowRun, patch: RunPatch, now: number): WorkflowRun | undefined {
  const next = { ...run, ...patch };
  const info = stmt(
    `UPDATE workflow_runs SET status = ?, parent_task_id = ?, steps = ?, error = ?, finished_at = ?, updated_at = ?, wake_at = ?,
     revision = revision + 1 WHERE id = ? AND revision = ?`,
  ).run(
    next.status,
    next.parentTaskId,
    JSON.stringify(next.steps),
    next.error,
    ms(next.finishedAt),
    now,
    wakeAtOf(next),
    run.id,
    run.revision,
  );
  return info.changes === 1 ? getRun(stmt, run.id) : undefined;
}

/** Running runs with a step task that ended after the run was last written: an advance was lost. */
export function runsBehind(stmt: Statement, limit: number): number[] {
  return stmt(
    `SELECT DISTINCT r.id FROM workflow_runs r JOIN tasks t ON t.parent_id = r.parent_task_id
     WHERE r.status = 'running' AND t.updated_at > r.updated_at AND t.status IN ('completed', 'failed', 'cancelled', 'skipped')
     ORDER BY r.id LIMIT ?`,
  )
    .pluck()
    .all(limit) as number[];
}
