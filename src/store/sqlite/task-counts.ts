import type Database from 'better-sqlite3';
import { TASK_STATUSES, type TaskStatus } from '../../core/types.js';
import type { TaskQuery } from '../store.js';
import { OPEN_STATUSES, SQL, taskWhere } from './sql.js';

type Stmt = (sql: string) => Database.Statement;
type Counts = Record<TaskStatus, number>;

/**
 * Counting tasks without a pass over every one of them. Completed tasks, most of a long-used
 * store, are counted as the total (SQLite counts an index page by page, without reading its
 * entries) less the tasks of every other status (ranges of tasks_status); without parents, less
 * the parents (few, from tasks_parent).
 */

/** Whether `query` filters on nothing but statuses and parents: what the counts below answer. */
function statusesOnly(query: TaskQuery): boolean {
  const rest = { ...query, status: undefined, open: undefined, hasSubtasks: undefined };
  return query.hasSubtasks !== true && taskWhere(rest, 0).where === '';
}

function countsOf(stmt: Stmt, withoutParents: boolean): Counts {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Counts;
  const total = Number(stmt('SELECT count(*) FROM tasks').pluck().get());
  const rows = stmt(SQL.countOpenByStatus).all() as { status: TaskStatus; n: number }[];
  for (const r of rows) counts[r.status] = r.n;
  counts.completed = total - rows.reduce((sum, r) => sum + r.n, 0);
  if (withoutParents)
    for (const r of stmt(SQL.parentsByStatus).all() as { status: TaskStatus; n: number }[]) counts[r.status] -= r.n;
  return counts;
}

/** Tasks per status, or null when `query` filters on more than `countsOf` answers. */
export function fastCountByStatus(stmt: Stmt, query: TaskQuery): Counts | null {
  if (!statusesOnly(query) || query.status !== undefined || query.open) return null;
  return countsOf(stmt, query.hasSubtasks === false);
}

/** How many tasks match, or null unless `query` asks for completed ones among statuses and parents only. */
export function fastCount(stmt: Stmt, query: TaskQuery): number | null {
  if (!statusesOnly(query)) return null;
  const statuses = (query.status?.length ? query.status : TASK_STATUSES).filter((s) => !query.open || OPEN_STATUSES.includes(s));
  // Without completed ones, the ranges of the statuses asked for are smaller than all the others.
  if (!statuses.includes('completed')) return null;
  const counts = countsOf(stmt, query.hasSubtasks === false);
  return statuses.reduce((sum, s) => sum + counts[s], 0);
}
