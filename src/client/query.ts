import type { TaskFilter } from '../app/baton.js';

/** The steering filters of a listing or a count as query parameters of `GET /tasks`. */
export function filterQuery(q: Pick<TaskFilter, 'q' | 'priority' | 'capability' | 'open'>) {
  return { q: q.q, priority: q.priority?.join(','), capability: q.capability?.join(','), open: q.open || undefined };
}
