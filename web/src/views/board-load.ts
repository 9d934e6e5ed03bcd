import type { TaskCounts } from '../api/client';
import { api } from '../lib/session';
import { type ColumnData, type ColumnDef, type Filters, listParams, serverFilters } from './board-data';

/** The board's requests: a column's first page, the next by cursor, and the counts of every header. */

export async function loadColumn(col: ColumnDef, f: Filters, signal?: AbortSignal): Promise<ColumnData> {
  const page = await api.listTasks(listParams(col, f), signal);
  return { tasks: page.tasks, next: page.next, total: page.total };
}

/** The next page by cursor. */
export async function loadMore(col: ColumnDef, f: Filters, cursor: string): Promise<ColumnData> {
  const page = await api.listTasks({ ...listParams(col, f), cursor });
  return { tasks: page.tasks, next: page.next, total: page.total };
}

/** The counts behind every header: one call, with the filters of the columns (epics apart). */
export function loadCounts(f: Filters, signal?: AbortSignal): Promise<TaskCounts> {
  return api.countTasks({ ...serverFilters(f), parents: false }, signal);
}
