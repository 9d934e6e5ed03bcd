import { type NewRun, wakeAtOf } from '../../core/workflow/run.js';
import type { RunPatch, RunQuery } from '../store.js';
import { ident } from './sql.js';

/** The statements of the `workflow_runs` table of the PostgreSQL store (migration 9). */
export function runStatements(schema: string) {
  const t = `${ident(schema)}.workflow_runs`;
  const cols =
    'id, workflow, version, params, status, parent_task_id, steps, error, created_by, created_at, updated_at, finished_at, revision';
  return {
    get: `SELECT ${cols} FROM ${t} WHERE id = $1`,
    /** The run's lock: advances of one run take turns until the end of their transactions. */
    lock: `SELECT ${cols} FROM ${t} WHERE id = $1 FOR UPDATE`,
    list: `SELECT ${cols} FROM ${t} WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR status = $2) ORDER BY id DESC LIMIT $3`,
    due: `SELECT ${cols} FROM ${t} WHERE status = 'running' AND wake_at <= $1 ORDER BY wake_at LIMIT $2`,
    insert: `INSERT INTO ${t} (workflow, version, params, status, parent_task_id, steps, error, created_by, created_at, updated_at, finished_at, revision, wake_at)
      VALUES ($1, $2, $3::text::jsonb, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11, 1, $12) RETURNING ${cols}`,
    update: `UPDATE ${t} SET status = $1, parent_task_id = $2, steps = $3::text::jsonb, error = $4, finished_at = $5, updated_at = $6,
      wake_at = $9, revision = revision + 1 WHERE id = $7 AND revision = $8 RETURNING ${cols}`,
    /** Running runs with a step task that ended after the run was last written: an advance was lost. */
    behind: `SELECT DISTINCT r.id FROM ${t} r JOIN ${ident(schema)}.tasks t ON t.parent_id = r.parent_task_id
      WHERE r.status = 'running' AND t.updated_at > r.updated_at AND t.status IN ('completed', 'failed', 'cancelled', 'skipped')
      ORDER BY r.id LIMIT $1`,
  };
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export const listParams = (q: RunQuery): unknown[] => [q.workflow ?? null, q.status ?? null, q.limit ?? 100];

export function insertRunParams(run: NewRun): unknown[] {
  return [
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
  ];
}

export function updateRunParams(run: { id: number; revision: number }, next: Required<RunPatch>, now: number): unknown[] {
  return [
    next.status,
    next.parentTaskId,
    JSON.stringify(next.steps),
    next.error,
    ms(next.finishedAt),
    now,
    run.id,
    run.revision,
    wakeAtOf(next),
  ];
}
