import { type Analytics, analyticsOf, type EpicRef, finishedAt, RANGE_SPANS, runMs } from '../core/analytics.js';
import { type Burndown, burndownOf } from '../core/burndown.js';
import { invalid, workerNotFound } from '../core/errors.js';
import { type AnalyticsQuery, analyticsQuerySchema, parseWith, taskIdSchema, workerIdSchema } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import { type TaskBrief, type WorkerDetail, workerRecord } from '../core/worker-record.js';
import type { TaskQuery } from '../store/store.js';
import type { AppContext } from './context.js';
import { getTask } from './task-service.js';

/**
 * Looking back: analytics over a time range, an epic's burndown, one worker's record. Each reads
 * bounded pages of the store and leaves the counting to `core/analytics.ts` and `core/burndown.ts`.
 */

/** Finished tasks read for one analytics answer: beyond this, the newest stand for the range. */
export const ANALYTICS_SAMPLE = 20_000;
/** Tasks read under one epic (every level). */
const BURNDOWN_LIMIT = 20_000;
/** A worker's finished tasks its record is computed from. */
const RECORD_SAMPLE = 200;
const PAGE = 1000;

/** Reads a query page by page (newest change first when sorted by `updated`) until `stop` or `max`. */
export async function readPages(ctx: AppContext, query: TaskQuery, max: number, stop?: (t: Task) => boolean): Promise<Task[]> {
  const out: Task[] = [];
  for (let offset = 0; out.length < max; offset += PAGE) {
    const page = await ctx.store.listTasks({ ...query, limit: Math.min(PAGE, max - out.length), offset });
    for (const t of page) {
      if (stop?.(t)) return out;
      out.push(t);
    }
    if (page.length < PAGE) break;
  }
  return out;
}

export async function analytics(ctx: AppContext, raw: AnalyticsQuery = {}): Promise<Analytics> {
  const { range = '24h' } = parseWith(analyticsQuerySchema, raw);
  const now = await ctx.store.now();
  const from = now - RANGE_SPANS[range].spanMs;
  // Newest change first: a task last changed before the range cannot have finished inside it.
  const finished = await readPages(
    ctx,
    { status: ['completed', 'failed'], sort: 'updated' },
    ANALYTICS_SAMPLE,
    (t) => Date.parse(t.updatedAt) <= from,
  );
  const [running, workers] = await Promise.all([
    readPages(ctx, { status: ['executing'], leased: true }, PAGE),
    ctx.presence.list(),
  ]);
  const inRange = finished.filter((t) => finishedAt(t) > from);
  return analyticsOf({
    range,
    now,
    finished: inRange,
    running,
    workers,
    epics: await epicsOf(ctx, inRange),
    sample: { tasks: finished.length, limit: ANALYTICS_SAMPLE, complete: finished.length < ANALYTICS_SAMPLE },
  });
}

/** The top-level tasks above the finished subtasks, most finished first (at most 10). */
async function epicsOf(ctx: AppContext, finished: readonly Task[]): Promise<EpicRef[]> {
  const counts = new Map<number, number>();
  for (const t of finished) if (t.parentId !== null) counts.set(t.parentId, (counts.get(t.parentId) ?? 0) + 1);
  const roots = new Map<number, EpicRef>();
  const parents = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 50);
  for (const [parentId, n] of parents) {
    const root = await rootOf(ctx, parentId);
    if (!root) continue;
    const ref = roots.get(root.id) ?? { id: root.id, title: root.title, status: root.status, finished: 0 };
    ref.finished += n;
    roots.set(root.id, ref);
  }
  return [...roots.values()].sort((a, b) => b.finished - a.finished || a.id - b.id).slice(0, 10);
}

async function rootOf(ctx: AppContext, id: number): Promise<Task | undefined> {
  let task = await ctx.store.getTask(id);
  // Breakdowns nest a few levels at most; the bound guards a damaged store.
  for (let depth = 0; task?.parentId != null && depth < 16; depth++) task = await ctx.store.getTask(task.parentId);
  return task;
}

export async function burndown(ctx: AppContext, rawId: number): Promise<Burndown> {
  const id = parseWith(taskIdSchema, rawId, { what: 'id' });
  const epic = await getTask(ctx, id);
  const descendants: Task[] = [];
  let level = [epic.id];
  while (level.length > 0 && descendants.length < BURNDOWN_LIMIT) {
    const next: number[] = [];
    for (const parentId of level) {
      const children = await readPages(ctx, { parentId }, BURNDOWN_LIMIT - descendants.length);
      descendants.push(...children);
      next.push(...children.map((c) => c.id));
    }
    level = next;
  }
  if (descendants.length === 0) {
    throw invalid('id', `task ${id} has no subtasks: a burndown follows the work under an epic (break it down first)`);
  }
  return burndownOf(epic, descendants, await ctx.store.now());
}

function brief(t: Task): TaskBrief {
  const finished = t.status === 'completed' || t.status === 'failed';
  const ms = finished ? runMs(t) : null;
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    priority: t.priority,
    progress: t.progress,
    attempts: t.attempts,
    startedAt: t.startedAt,
    finishedAt: finished ? new Date(finishedAt(t)).toISOString() : null,
    runSeconds: ms === null ? null : Math.round(ms / 100) / 10,
    lastError: t.lastError,
  };
}

export async function workerDetail(ctx: AppContext, rawId: string): Promise<WorkerDetail> {
  const id = parseWith(workerIdSchema, rawId, { what: 'worker id' });
  const worker = (await ctx.presence.list()).find((w) => w.id === id);
  if (!worker) throw workerNotFound(id);
  const [current, finished] = await Promise.all([
    readPages(ctx, { assignee: id, status: ['assigned', 'executing', 'paused', 'reviewing'] }, 100),
    readPages(ctx, { assignee: id, status: ['completed', 'failed'], sort: 'updated' }, RECORD_SAMPLE),
  ]);
  return {
    worker,
    current: current.map(brief),
    recent: finished.slice(0, 20).map(brief),
    record: { ...workerRecord(finished), sample: finished.length, limit: RECORD_SAMPLE },
  };
}
