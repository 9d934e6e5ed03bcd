import type { ListQuery, TaskCounts, TaskFilter, TaskPage } from '../app/baton.js';
import { listQuerySchema, parseWith, taskFilterSchema } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's listings and counts of tasks, as query parameters of `GET /tasks`. */

/** The version a change is guarded by, as the server reads it (`If-Match`). */
export function ifMatch(options: { ifVersion?: number }): Record<string, string> {
  return options.ifVersion !== undefined ? { 'if-match': `"${options.ifVersion}"` } : {};
}

/** The steering filters of a listing or a count as query parameters of `GET /tasks`. */
export function filterQuery(q: Pick<TaskFilter, 'q' | 'priority' | 'capability' | 'open' | 'parents'>) {
  return {
    q: q.q,
    priority: q.priority?.join(','),
    capability: q.capability?.join(','),
    open: q.open || undefined,
    parents: q.parents,
  };
}

export async function listTasks(http: HttpClient, raw: ListQuery): Promise<TaskPage> {
  const q = parseWith(listQuerySchema, raw);
  return http.call('GET', '/tasks', {
    query: {
      status: q.status?.join(','),
      worker: q.worker,
      tag: q.tag,
      parent: q.parentId,
      ids: q.ids?.join(','),
      parentIds: q.parentIds?.join(','),
      ready: q.ready || undefined,
      limit: q.limit,
      offset: q.offset,
      cursor: q.cursor,
      ...filterQuery(q),
      sort: q.sort,
    },
  });
}

export async function countTasks(http: HttpClient, raw: TaskFilter): Promise<TaskCounts> {
  const q = parseWith(taskFilterSchema, raw);
  const query = { status: q.status?.join(','), worker: q.worker, tag: q.tag, parent: q.parentId, ...filterQuery(q) };
  return http.call('GET', '/tasks/counts', { query });
}
