import type { Task, TaskEvent, TaskStatus } from '../../core/types.js';
import { ofNoOpenTask, removableTask } from '../backup-sql.js';
import type { DutyState } from '../maintenance.js';
import { type Row, rowToEvent, rowToTask } from './rows.js';
import { ident } from './sql.js';

/** Retention and the scheduled duties of the PostgreSQL store (migration 13): its statements and row shapes. */
export function retentionStatements(schema: string, selectTask: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  return {
    candidates: `${selectTask} WHERE t.id < $1 AND ${removableTask(q, '$2')} ORDER BY t.id DESC LIMIT $3`,
    eventsOfTasks: `SELECT * FROM ${q('events')} WHERE task_id = ANY($1::bigint[]) ORDER BY id`,
    eventsWithStatus: `SELECT e.*, t.status AS task_status FROM ${q('events')} e LEFT JOIN ${q('tasks')} t ON t.id = e.task_id
      WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
    /** Locks the tasks still removable and unchanged: a dependency added meanwhile waits, then fails its link. */
    lockRemovable: `SELECT t.id FROM ${q('tasks')} t JOIN unnest($1::bigint[], $2::int[]) AS w(id, version)
      ON t.id = w.id AND t.version = w.version WHERE ${removableTask(q, '$3')} FOR UPDATE OF t`,
    deleteTaskEvents: `DELETE FROM ${q('events')} WHERE task_id = ANY($1::bigint[])`,
    deleteTaskEdges: `DELETE FROM ${q('task_dependencies')} WHERE task_id = ANY($1::bigint[])`,
    deleteTasks: `DELETE FROM ${q('tasks')} WHERE id = ANY($1::bigint[])`,
    deleteEvents: `DELETE FROM ${q('events')} e WHERE e.id = ANY($1::bigint[]) AND ${ofNoOpenTask(q, 'e')} RETURNING e.id`,
    claimDuty: `INSERT INTO ${q('maintenance')} (duty, period, holder, claimed_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (duty) DO UPDATE SET period = excluded.period, holder = excluded.holder, claimed_at = excluded.claimed_at
      WHERE ${q('maintenance')}.period < excluded.period RETURNING duty`,
    recordDuty: `INSERT INTO ${q('maintenance')} (duty, outcome) VALUES ($1, $2::text::json)
      ON CONFLICT (duty) DO UPDATE SET outcome = excluded.outcome`,
    duties: `SELECT * FROM ${q('maintenance')} ORDER BY duty`,
  };
}

export const candidatesOf = (rows: Row[]): Task[] => rows.map(rowToTask);

export const withTaskStatus = (rows: Row[]): { event: TaskEvent; taskStatus: TaskStatus | null | undefined }[] =>
  rows.map((r) => ({
    event: rowToEvent(r),
    taskStatus: r.task_id === null ? null : ((r.task_status as TaskStatus | null) ?? undefined),
  }));

export const dutiesOf = (rows: Row[]): DutyState[] =>
  rows.map((r) => ({
    duty: String(r.duty),
    period: Number(r.period),
    holder: (r.holder as string | null) ?? null,
    claimedAt: r.claimed_at === null ? null : Number(r.claimed_at),
    outcome: (r.outcome as Record<string, unknown> | null) ?? null,
  }));
