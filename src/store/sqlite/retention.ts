import type Database from 'better-sqlite3';
import type { Task, TaskEvent, TaskStatus } from '../../core/types.js';
import { ofNoOpenTask, removableTask } from '../backup-sql.js';
import type { DutyState } from '../maintenance.js';
import { type Row, rowToEvent, rowToTask } from './rows.js';
import { SQL } from './sql.js';

/** Retention and the scheduled duties of the SQLite store (migration 13). */

type Stmt = (sql: string) => Database.Statement;
const bare = (table: string) => table;
const ids = (list: readonly number[]) => JSON.stringify(list);

export function retentionCandidates(stmt: Stmt, q: { before: number; belowId: number; limit: number }): Task[] {
  const sql = `${SQL.selectTask} WHERE t.id < @below AND ${removableTask(bare, '@before')} ORDER BY t.id DESC LIMIT @limit`;
  return (stmt(sql).all({ below: q.belowId, before: q.before, limit: q.limit }) as Row[]).map(rowToTask);
}

export function eventsOfTasks(stmt: Stmt, taskIds: readonly number[]): TaskEvent[] {
  const rows = stmt('SELECT * FROM events WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(ids(taskIds));
  return (rows as Row[]).map(rowToEvent);
}

export function eventsWithTaskStatus(
  stmt: Stmt,
  afterId: number,
  limit: number,
): { event: TaskEvent; taskStatus: TaskStatus | null | undefined }[] {
  const rows = stmt(
    `SELECT e.*, t.status AS task_status FROM events e LEFT JOIN tasks t ON t.id = e.task_id
     WHERE e.id > ? ORDER BY e.id LIMIT ?`,
  ).all(afterId, limit) as Row[];
  return rows.map((r) => ({
    event: rowToEvent(r),
    taskStatus: r.task_id === null ? null : ((r.task_status as TaskStatus | null) ?? undefined),
  }));
}

/** Deletes the tasks still removable and unchanged, with their events and edges; returns their ids. */
export function removeTasks(stmt: Stmt, tasks: readonly Pick<Task, 'id' | 'version'>[], before: number): number[] {
  const wanted = JSON.stringify(tasks.map((t) => [t.id, t.version]));
  const gone = stmt(
    `SELECT t.id FROM tasks t JOIN json_each(@wanted) w ON t.id = w.value ->> 0 AND t.version = w.value ->> 1
     WHERE ${removableTask(bare, '@before')}`,
  )
    .pluck()
    .all({ wanted, before }) as number[];
  if (gone.length === 0) return [];
  const list = ids(gone);
  stmt('DELETE FROM events WHERE task_id IN (SELECT value FROM json_each(?))').run(list);
  stmt('DELETE FROM task_dependencies WHERE task_id IN (SELECT value FROM json_each(?))').run(list);
  stmt('DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?))').run(list);
  return gone;
}

export function removeEvents(stmt: Stmt, eventIds: readonly number[]): number {
  const sql = `DELETE FROM events WHERE id IN (SELECT value FROM json_each(?)) AND ${ofNoOpenTask(bare, 'events')}`;
  return stmt(sql).run(ids(eventIds)).changes;
}

export function claimDuty(stmt: Stmt, duty: string, period: number, holder: string, atMs: number): boolean {
  const info = stmt(
    `INSERT INTO maintenance (duty, period, holder, claimed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (duty) DO UPDATE SET period = excluded.period, holder = excluded.holder, claimed_at = excluded.claimed_at
     WHERE maintenance.period < excluded.period`,
  ).run(duty, period, holder, atMs);
  return info.changes === 1;
}

export function recordDuty(stmt: Stmt, duty: string, outcome: Record<string, unknown>): void {
  stmt('INSERT INTO maintenance (duty, outcome) VALUES (?, ?) ON CONFLICT (duty) DO UPDATE SET outcome = excluded.outcome').run(
    duty,
    JSON.stringify(outcome),
  );
}

export function duties(stmt: Stmt): DutyState[] {
  return (stmt('SELECT * FROM maintenance ORDER BY duty').all() as Row[]).map((r) => ({
    duty: String(r.duty),
    period: Number(r.period),
    holder: (r.holder as string | null) ?? null,
    claimedAt: r.claimed_at === null ? null : Number(r.claimed_at),
    outcome: r.outcome === null ? null : (JSON.parse(String(r.outcome)) as Record<string, unknown>),
  }));
}
