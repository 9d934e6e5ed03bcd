import { compareForClaim } from '../../../src/core/ordering.js';
import { searchWords } from '../../../src/core/search.js';
import type { ListParams, Priority, Task, TaskCounts, TaskFilterParams, TaskStatus } from '../api/types.js';
import { PRIORITIES } from '../api/types.js';

/** Cards fetched per request: a screenful of compact cards and some, so the first paint needs one call. */
export const PAGE = 50;

export type ColumnSort = 'claim' | 'created' | 'updated';

export interface ColumnDef {
  key: string;
  label: string;
  statuses: TaskStatus[];
  /** Queued in the order workers receive tasks; final columns newest first; the rest in id order. */
  sort: ColumnSort;
  /** Shown only when it holds tasks (paused, skipped) or when asked for (cancelled). */
  optional?: 'when-used' | 'on-request';
  /** The epics lane: tasks broken into subtasks, whatever their state; every other column leaves them out. */
  parents?: true;
}

const OPEN: TaskStatus[] = ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing'];

export const EPICS: ColumnDef = {
  key: 'epics',
  label: 'Epics',
  statuses: [...OPEN, 'completed', 'failed', 'cancelled', 'skipped'],
  sort: 'updated',
  parents: true,
};

export const COLUMNS: ColumnDef[] = [
  { key: 'blocked', label: 'Blocked', statuses: ['blocked'], sort: 'created' },
  { key: 'queued', label: 'Queued', statuses: ['queued', 'assigned'], sort: 'claim' },
  { key: 'executing', label: 'Executing', statuses: ['executing'], sort: 'created' },
  { key: 'paused', label: 'Paused', statuses: ['paused'], sort: 'created', optional: 'when-used' },
  { key: 'reviewing', label: 'Reviewing', statuses: ['reviewing'], sort: 'created' },
  { key: 'completed', label: 'Completed', statuses: ['completed'], sort: 'updated' },
  { key: 'failed', label: 'Failed', statuses: ['failed'], sort: 'updated' },
  { key: 'skipped', label: 'Skipped', statuses: ['skipped'], sort: 'updated', optional: 'when-used' },
  { key: 'cancelled', label: 'Cancelled', statuses: ['cancelled'], sort: 'updated', optional: 'on-request' },
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

/** A query the server can search: at least one word (letters or digits), as it requires. */
export function searchable(q: string): boolean {
  return searchWords(q).length > 0;
}

/** Every filter is applied by the server, so a column holds all the tasks that match, not a loaded few. */
export function serverFilters(f: Filters): TaskFilterParams {
  const priority = (PRIORITIES as readonly string[]).includes(f.priority) ? [f.priority as Priority] : undefined;
  return {
    ...(searchable(f.q) && { q: f.q }),
    ...(f.tag && { tag: f.tag }),
    ...(f.cap && { capability: [f.cap] }),
    ...(f.worker && { worker: f.worker }),
    ...(priority && { priority }),
  };
}

/**
 * Whether a task changed live still belongs under the filters, decided as the server decides:
 * each word of the search a prefix of a word of the title or description.
 */
export function matches(task: Task, f: Filters): boolean {
  if (f.tag && !task.tags.includes(f.tag)) return false;
  if (f.worker && task.assignee !== f.worker) return false;
  if (f.cap && !task.capabilities.includes(f.cap)) return false;
  if (f.priority && task.priority !== f.priority) return false;
  if (searchable(f.q)) {
    const words = searchWords(`${task.title} ${task.description ?? ''}`);
    if (!searchWords(f.q).every((q) => words.some((w) => w.startsWith(q)))) return false;
  }
  return true;
}

export interface ColumnData {
  tasks: Task[];
  /** The cursor of the next page; null once everything is loaded. */
  next: string | null;
  /** How many match, as the listing said (the counts call says it for the header). */
  total: number;
}

export const EMPTY: ColumnData = { tasks: [], next: null, total: 0 };

export function listParams(col: ColumnDef, f: Filters): ListParams {
  return { status: col.statuses, ...serverFilters(f), parents: col.parents ?? false, sort: col.sort, limit: PAGE };
}

export function headerCount(col: ColumnDef, counts: TaskCounts | null, data: ColumnData | undefined): number {
  if (col.parents || !counts) return data?.total ?? 0;
  return col.statuses.reduce((n, s) => n + (counts.byStatus[s] ?? 0), 0);
}

/** A further page after the cards loaded; tasks that moved into the loaded part meanwhile are not repeated. */
export function append(data: ColumnData, page: ColumnData): ColumnData {
  return { tasks: dedupe([...data.tasks, ...page.tasks]), next: page.next, total: page.total };
}

function dedupe(tasks: Task[]): Task[] {
  const seen = new Set<number>();
  return tasks.filter((t) => {
    if (seen.has(t.id)) return false;
    seen.add(t.id);
    return true;
  });
}

/**
 * A parent following its subtasks is `executing` without a lease (`core/lifecycle.ts`), and keeps
 * no lease when paused; finished ones are known from the epics lane already loaded.
 */
export function isParent(task: Task, knownParents: ReadonlySet<number>): boolean {
  if (knownParents.has(task.id)) return true;
  if (task.lease !== null) return false;
  return task.status === 'executing' || (task.status === 'paused' && task.pausedFrom === 'executing');
}

function compare(sort: ColumnSort): (a: Task, b: Task) => number {
  if (sort === 'claim') return compareForClaim;
  if (sort === 'updated') return (a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id;
  return (a, b) => a.id - b.id;
}

export type Board = Record<string, ColumnData>;

/**
 * Moves a changed task to the column of its new state, in the column's order. A task that sorts
 * after the last card loaded, while more remain on the server, is left for the page that holds it.
 */
export function placeTask(board: Board, task: Task, f: Filters, parents: ReadonlySet<number>): Board {
  const parent = isParent(task, parents);
  const target = parent ? EPICS : columnOf(task.status);
  const next: Board = {};
  for (const [key, data] of Object.entries(board)) {
    const had = data.tasks.some((t) => t.id === task.id);
    let tasks = had ? data.tasks.filter((t) => t.id !== task.id) : data.tasks;
    if (key === target.key && matches(task, f)) tasks = insert(target, data, tasks, task);
    next[key] = tasks === data.tasks ? data : { ...data, tasks };
  }
  return next;
}

function insert(col: ColumnDef, data: ColumnData, tasks: Task[], task: Task): Task[] {
  const cmp = compare(col.sort);
  const at = tasks.findIndex((t) => cmp(task, t) < 0);
  if (at < 0) return data.next === null ? [...tasks, task] : tasks;
  return [...tasks.slice(0, at), task, ...tasks.slice(at)];
}

/** Whom a blocked card waits for: the first dependency not yet completed, once read (`board-live.ts`). */
export function blockerOf(
  task: Task,
  deps: { get(id: number): Task | null | undefined },
): { id: number; title: string | null; more: number } | null {
  if (task.status !== 'blocked' || task.dependsOn.length === 0) return null;
  const open = task.dependsOn.filter((id) => deps.get(id)?.status !== 'completed');
  const first = open[0];
  if (first === undefined) return null;
  return { id: first, title: deps.get(first)?.title ?? null, more: open.length - 1 };
}

/** A reservation for a worker that is not online (or not registered): nobody will claim it. */
export function reservedOffline(task: Task, online: ReadonlyMap<string, boolean> | null): boolean {
  if (task.status !== 'assigned' || !task.reservedFor || !online) return false;
  return online.get(task.reservedFor) !== true;
}
