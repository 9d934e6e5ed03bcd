import { TASK_STATUSES, type TaskStatus } from '../../core/types.js';
import type { TaskQuery } from '../store.js';
import { NOW_MS } from './sql.js';

/**
 * The statuses as literals: the board's ordered listings read partial indexes of the statuses they
 * order (migration 21), which PostgreSQL uses only when it can prove the query's statuses inside
 * the index's; a parameter proves nothing to a generic plan. Checked against the known statuses.
 */
function statusList(statuses: readonly TaskStatus[]): string {
  for (const s of statuses) if (!TASK_STATUSES.includes(s)) throw new Error(`unknown status ${String(s)}`);
  return [...new Set(statuses)].map((s) => `'${s}'`).join(', ');
}

/** The WHERE of a task list on PostgreSQL, with its parameters (`$1`, …); `tasks` is the schema's table. */
export function taskWhere(query: TaskQuery, tasks: string): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.status && query.status.length > 0) clauses.push(`t.status IN (${statusList(query.status)})`);
  if (query.ready) clauses.push(`t.status IN ('queued', 'assigned') AND t.run_after <= ${NOW_MS}`);
  if (query.assignee !== undefined) clauses.push(`t.assignee = ${param(query.assignee)}`);
  if (query.parentId !== undefined) clauses.push(`t.parent_id = ${param(query.parentId)}`);
  if (query.ids !== undefined) clauses.push(`t.id = ANY(${param([...query.ids])}::bigint[])`);
  if (query.parentIds !== undefined) clauses.push(`t.parent_id = ANY(${param([...query.parentIds])}::bigint[])`);
  if (query.leased !== undefined) clauses.push(query.leased ? 't.lease_owner IS NOT NULL' : 't.lease_owner IS NULL');
  if (query.tag !== undefined) clauses.push(`${param(query.tag)}::text = ANY(t.tags)`);
  if (query.withCommand) clauses.push("t.command IS NOT NULL AND t.command <> ''");
  if (query.priority && query.priority.length > 0) clauses.push(`t.priority = ANY(${param([...query.priority])}::text[])`);
  if (query.capability && query.capability.length > 0) clauses.push(`t.capabilities && ${param([...query.capability])}::text[]`);
  if (query.words && query.words.length > 0) {
    // The stored vector of the `tasks_search` GIN index (migration 8).
    const match = query.words.map((w) => `${w}:*`).join(' & ');
    clauses.push(`t.search_vector @@ to_tsquery('simple', ${param(match)})`);
  }
  if (query.open) clauses.push("t.status NOT IN ('completed', 'cancelled', 'skipped')");
  // The parents are read once from the tasks_parent index (few rows), then each task is looked up among them.
  if (query.hasSubtasks !== undefined) {
    clauses.push(`t.id ${query.hasSubtasks ? '' : 'NOT '}IN (SELECT c.parent_id FROM ${tasks} c WHERE c.parent_id IS NOT NULL)`);
  }
  if (query.afterId !== undefined) clauses.push(`t.id > ${param(query.afterId)}`);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
