import type { ListParams } from '../api/client';
import type { Task, TaskStatus } from '../api/types';
import { api } from '../lib/session';

export const PAGE = 50;

export interface ColumnDef {
  key: string;
  label: string;
  statuses: TaskStatus[];
  /** Final columns show the latest first; open ones in id order, as the queue fills. */
  newestFirst: boolean;
  /** Shown only when it holds tasks (paused, skipped) or when asked for (cancelled). */
  optional?: 'when-used' | 'on-request';
}

export const COLUMNS: ColumnDef[] = [
  { key: 'blocked', label: 'Blocked', statuses: ['blocked'], newestFirst: false },
  { key: 'queued', label: 'Queued', statuses: ['queued', 'assigned'], newestFirst: false },
  { key: 'executing', label: 'Executing', statuses: ['executing'], newestFirst: false },
  { key: 'paused', label: 'Paused', statuses: ['paused'], newestFirst: false, optional: 'when-used' },
  { key: 'reviewing', label: 'Reviewing', statuses: ['reviewing'], newestFirst: false },
  { key: 'completed', label: 'Completed', statuses: ['completed'], newestFirst: true },
  { key: 'failed', label: 'Failed', statuses: ['failed'], newestFirst: true },
  { key: 'skipped', label: 'Skipped', statuses: ['skipped'], newestFirst: true, optional: 'when-used' },
  { key: 'cancelled', label: 'Cancelled', statuses: ['cancelled'], newestFirst: true, optional: 'on-request' },
];

export function columnOf(status: TaskStatus): ColumnDef {
  return COLUMNS.find((c) => c.statuses.includes(status)) ?? (COLUMNS[1] as ColumnDef);
}

export interface Filters {
  q: string;
  tag: string;
  cap: string;
  worker: string;
  priority: string;
}

export function filtersOf(params: URLSearchParams): Filters {
  return {
    q: params.get('q') ?? '',
    tag: params.get('tag') ?? '',
    cap: params.get('cap') ?? '',
    worker: params.get('worker') ?? '',
    priority: params.get('priority') ?? '',
  };
}

/** Filters the server applies (tag, worker); the rest are applied to the cards loaded. */
export function serverFilters(f: Filters): Pick<ListParams, 'tag' | 'worker'> {
  return { tag: f.tag || undefined, worker: f.worker || undefined };
}

export function matches(task: Task, f: Filters): boolean {
  if (f.tag && !task.tags.includes(f.tag)) return false;
  if (f.worker && task.assignee !== f.worker) return false;
  if (f.cap && !task.capabilities.includes(f.cap)) return false;
  if (f.priority && task.priority !== f.priority) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    const hay = `#${task.id} ${task.title} ${task.description ?? ''} ${task.type}`.toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

export interface ColumnData {
  tasks: Task[];
  total: number;
  /** Server offset of the first task loaded (newest-first columns page backwards). */
  start: number;
  end: number;
}

/** The first page of a column: lowest ids of open columns, highest ids of final ones. */
export async function loadColumn(col: ColumnDef, f: Filters): Promise<ColumnData> {
  const base = { status: col.statuses, ...serverFilters(f) };
  const first = await api.listTasks({ ...base, limit: PAGE, offset: 0 });
  if (!col.newestFirst || first.total <= PAGE) {
    const tasks = col.newestFirst ? [...first.tasks].reverse() : first.tasks;
    return { tasks, total: first.total, start: 0, end: first.tasks.length };
  }
  const start = Math.max(0, first.total - PAGE);
  const last = await api.listTasks({ ...base, limit: PAGE, offset: start });
  return { tasks: [...last.tasks].reverse(), total: last.total, start, end: start + last.tasks.length };
}

export async function loadMore(col: ColumnDef, f: Filters, data: ColumnData): Promise<ColumnData> {
  const base = { status: col.statuses, ...serverFilters(f) };
  if (col.newestFirst) {
    const start = Math.max(0, data.start - PAGE);
    const page = await api.listTasks({ ...base, limit: data.start - start, offset: start });
    return { ...data, tasks: dedupe([...data.tasks, ...[...page.tasks].reverse()]), total: page.total, start };
  }
  const page = await api.listTasks({ ...base, limit: PAGE, offset: data.end });
  return { ...data, tasks: dedupe([...data.tasks, ...page.tasks]), total: page.total, end: data.end + page.tasks.length };
}

function dedupe(tasks: Task[]): Task[] {
  const seen = new Set<number>();
  return tasks.filter((t) => {
    if (seen.has(t.id)) return false;
    seen.add(t.id);
    return true;
  });
}

export function hasMore(col: ColumnDef, data: ColumnData): boolean {
  return col.newestFirst ? data.start > 0 : data.end < data.total;
}

/**
 * Moves a changed task to the column of its new status. Open columns keep id order and only take
 * a task that falls inside the loaded window; final columns put fresh arrivals on top.
 */
export function placeTask(board: Record<string, ColumnData>, task: Task, f: Filters): Record<string, ColumnData> {
  const next: Record<string, ColumnData> = {};
  const target = columnOf(task.status);
  for (const col of COLUMNS) {
    const data = board[col.key];
    if (!data) continue;
    let tasks = data.tasks.filter((t) => t.id !== task.id);
    if (col.key === target.key && matches(task, { ...f, q: '', cap: '', priority: '' })) {
      tasks = insert(col, data, tasks, task);
    }
    const had = data.tasks.some((t) => t.id === task.id);
    const has = tasks.some((t) => t.id === task.id);
    if (!had && !has) {
      next[col.key] = data;
      continue;
    }
    // The loaded window of an open column ends at server offset `end`; keep it pointing at the same next task.
    const end = col.newestFirst ? data.end : data.end + Number(has) - Number(had);
    next[col.key] = { ...data, tasks, end };
  }
  return next;
}

function insert(col: ColumnDef, data: ColumnData, tasks: Task[], task: Task): Task[] {
  if (col.newestFirst) return [task, ...tasks];
  const last = tasks.at(-1);
  const windowOpen = data.end >= data.total || !last || task.id < last.id;
  if (!windowOpen) return tasks;
  const at = tasks.findIndex((t) => t.id > task.id);
  return at < 0 ? [...tasks, task] : [...tasks.slice(0, at), task, ...tasks.slice(at)];
}
