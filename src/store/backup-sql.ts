import { type BackupCounts, emptyCounts } from '../core/backup.js';
import { FINAL_STATUSES } from '../core/types.js';

/**
 * SQL that backups and retention share between the backends (the same text on both, table names
 * qualified by `q`: bare on SQLite, schema-qualified on PostgreSQL).
 */

type Qualify = (table: string) => string;

/** The tables a backup holds, by the part of a backup each fills. */
const COUNTED: Record<keyof BackupCounts, string> = {
  keys: 'api_keys',
  workers: 'workers',
  resources: 'resources',
  teams: 'teams',
  workflows: 'workflows',
  triggers: 'workflow_triggers',
  tasks: 'tasks',
  dependencies: 'task_dependencies',
  events: 'events',
  runs: 'workflow_runs',
};

/** One row: the rows of every table a backup holds. */
export const countsQuery = (q: Qualify): string =>
  `SELECT ${Object.entries(COUNTED)
    .map(([part, table]) => `(SELECT count(*) FROM ${q(table)}) AS ${part}`)
    .join(', ')}`;

export function countsOf(row: Record<string, unknown> | undefined): BackupCounts {
  const counts = emptyCounts();
  for (const part of Object.keys(counts) as (keyof BackupCounts)[]) counts[part] = Number(row?.[part] ?? 0);
  return counts;
}

/** Whether any table a backup holds has a row. */
export const anyDataQuery = (q: Qualify): string =>
  `SELECT ${Object.values(COUNTED)
    .filter((t) => t !== 'task_dependencies' && t !== 'workflow_triggers')
    .map((t) => `EXISTS (SELECT 1 FROM ${q(t)})`)
    .join(' OR ')} AS any`;

/** Every table a backup holds, children before the rows they point to (the order to empty them). */
export const BACKUP_TABLES = [
  'team_members',
  'teams',
  'task_dependencies',
  'events',
  'workflow_runs',
  'workflow_triggers',
  'workflows',
  'tasks',
  'workers',
  'api_keys',
  'resources',
] as const;

export const FINAL_SQL = `(${FINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * A finished task (alias `t`) that retention may remove: finished before `before`, no task depends
 * on it, no subtask of it remains, and its parent, if any, has finished — so removing it breaks no
 * link, and no open work loses what it stands on.
 */
export const removableTask = (q: Qualify, before: string): string => `t.status IN ${FINAL_SQL}
  AND coalesce(t.completed_at, t.updated_at) < ${before}
  AND NOT EXISTS (SELECT 1 FROM ${q('task_dependencies')} d WHERE d.depends_on = t.id)
  AND NOT EXISTS (SELECT 1 FROM ${q('tasks')} c WHERE c.parent_id = t.id)
  AND (t.parent_id IS NULL OR EXISTS (SELECT 1 FROM ${q('tasks')} p WHERE p.id = t.parent_id AND p.status IN ${FINAL_SQL}))`;

/** An event (alias `e` or the table itself) whose task, if any, is not open. */
export const ofNoOpenTask = (q: Qualify, event: string): string =>
  `(${event}.task_id IS NULL OR NOT EXISTS (SELECT 1 FROM ${q('tasks')} o WHERE o.id = ${event}.task_id AND o.status NOT IN ${FINAL_SQL}))`;

/** Rows read per page of a snapshot, and loaded per statement. */
export const PAGE_ROWS = 2_000;
