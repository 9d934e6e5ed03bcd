import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { attemptLogName } from '../core/attempt-logs.js';
import { archiveName } from '../core/backup.js';
import { eventRemovable, type RetentionCutoffs, retentionCutoffs } from '../core/retention.js';
import { gcSchema, parseWith } from '../core/schemas.js';
import type { Task, TaskEvent } from '../core/types.js';
import { LATEST_VERSION } from '../store/sqlite/migrations.js';
import { ArchiveFile } from './archive-file.js';
import type { AppContext } from './context.js';
import type { GcInput, GcReport, RetentionStatus } from './maintenance-types.js';

/**
 * Retention (`baton gc`, and the server every `retention.every`): finished tasks past
 * `completedTasks`, then events past `events`, archived then removed in small batches — each its
 * own short transaction, so claims and completions wait at most one batch.
 */

export const RETENTION_DUTY = 'retention';

/** Tasks per batch (with all their events), and events per batch. */
const TASK_BATCH = 200;
const EVENT_BATCH = 1_000;
/** A task removable only once its dependents went needs another pass; chains longer than this wait for the next run. */
const MAX_PASSES = 8;

interface Run {
  ctx: AppContext;
  cut: RetentionCutoffs;
  dryRun: boolean;
  report: GcReport;
  archive: ArchiveFile;
  /** In a dry run: the tasks that would go (their events are counted with them, not again by age). */
  wouldGo: Set<number>;
}

export async function gc(ctx: AppContext, raw: GcInput = {}): Promise<GcReport> {
  const input = parseWith(gcSchema, raw);
  const started = performance.now();
  const rule = ctx.maintenance.retention;
  const now = ctx.clock.now();
  const cut = retentionCutoffs(rule, now);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const report: GcReport = {
    dryRun: Boolean(input.dryRun),
    configured: cut.events !== null || cut.tasks !== null,
    cutoffs: { events: iso(cut.events), completedTasks: iso(cut.tasks) },
    tasks: { removed: 0, events: 0 },
    events: { removed: 0 },
    archive: null,
    batches: 0,
    ms: 0,
  };
  const archive = new ArchiveFile(join(rule.archiveDir, archiveName(now)), {
    formatVersion: 1,
    // Both backends number their migrations alike, and an open store is at the latest.
    schemaVersion: LATEST_VERSION,
    store: ctx.store.kind,
    createdAt: new Date(now).toISOString(),
  });
  const run: Run = { ctx, cut, dryRun: report.dryRun, report, archive, wouldGo: new Set() };
  if (cut.tasks !== null) await removeTasks(run, cut.tasks);
  if (cut.events !== null) await removeEvents(run, cut.events);
  if (cut.events !== null && !run.dryRun) await removeDeliveries(ctx, cut.events);
  report.archive = archive.written ? archive.path : null;
  report.ms = Math.round(performance.now() - started);
  if (!report.dryRun && report.configured) await record(ctx, report, now);
  return report;
}

async function removeTasks(run: Run, before: number): Promise<void> {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let below = Number.MAX_SAFE_INTEGER;
    let removed = 0;
    for (;;) {
      const batch = await run.ctx.store.retentionCandidates({ before, belowId: below, limit: TASK_BATCH });
      if (batch.length === 0) break;
      below = (batch.at(-1) as Task).id;
      removed += await removeTaskBatch(run, batch, before);
      await yieldTurn();
    }
    if (run.dryRun || removed === 0) return;
  }
}

async function removeTaskBatch(run: Run, batch: Task[], before: number): Promise<number> {
  const { ctx, report } = run;
  const events = await ctx.store.eventsOfTasks(batch.map((t) => t.id));
  if (run.dryRun) {
    for (const t of batch) run.wouldGo.add(t.id);
    report.tasks.removed += batch.length;
    report.tasks.events += events.length;
    return batch.length;
  }
  await run.archive.append({ tasks: batch, events });
  const gone = new Set(await ctx.store.transaction((tx) => tx.removeTasks(batch, before)));
  report.tasks.removed += gone.size;
  report.tasks.events += events.filter((e) => e.taskId !== null && gone.has(e.taskId)).length;
  report.batches++;
  await removeLogs(
    ctx,
    batch.filter((t) => gone.has(t.id)),
  );
  return gone.size;
}

/**
 * Events oldest first, up to the first one inside the retention window: ids grow with time, so
 * the scan ends there rather than reading the whole log.
 */
async function removeEvents(run: Run, before: number): Promise<void> {
  const { ctx } = run;
  let after = 0;
  for (;;) {
    const page = await ctx.store.eventsWithTaskStatus(after, EVENT_BATCH);
    const inside = page.findIndex((p) => Date.parse(p.event.at) >= before);
    const old = inside === -1 ? page : page.slice(0, inside);
    const removable = old
      .filter((p) => eventRemovable(p.event.at, p.taskStatus, before))
      .filter((p) => p.event.taskId === null || !run.wouldGo.has(p.event.taskId))
      .map((p) => p.event);
    if (removable.length > 0) await removeEventBatch(run, removable);
    if (inside !== -1 || page.length < EVENT_BATCH) return;
    after = (page.at(-1) as { event: TaskEvent }).event.id;
    await yieldTurn();
  }
}

async function removeEventBatch(run: Run, events: TaskEvent[]): Promise<void> {
  if (run.dryRun) {
    run.report.events.removed += events.length;
    return;
  }
  await run.archive.append({ events });
  run.report.events.removed += await run.ctx.store.transaction((tx) => tx.removeEvents(events.map((e) => e.id)));
  run.report.batches++;
}

/** The webhook delivery log goes with the events: what was delivered or given up before the cutoff. */
async function removeDeliveries(ctx: AppContext, before: number): Promise<void> {
  while ((await ctx.store.transaction((tx) => tx.removeDeliveries(before, EVENT_BATCH))) === EVENT_BATCH) await yieldTurn();
}

/** The attempt logs this machine kept for removed tasks go with them. */
async function removeLogs(ctx: AppContext, tasks: Task[]): Promise<void> {
  const dir = ctx.logDir;
  if (!dir) return;
  for (const t of tasks) {
    for (let attempt = 1; attempt <= t.attempts; attempt++)
      await unlink(join(dir, attemptLogName(t.id, attempt))).catch(() => {});
  }
}

/** Lets the calls waiting behind a batch (claims, completions) run before the next one. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface RetentionOutcome {
  last?: RetentionStatus['last'];
}

async function record(ctx: AppContext, report: GcReport, now: number): Promise<void> {
  const last = {
    at: new Date(now).toISOString(),
    tasks: report.tasks,
    events: report.events,
    archive: report.archive,
    ms: report.ms,
  };
  await ctx.store.recordDuty(RETENTION_DUTY, { last } satisfies RetentionOutcome);
}

export async function retentionStatus(ctx: AppContext): Promise<RetentionStatus> {
  const rule = ctx.maintenance.retention;
  const duty = (await ctx.store.duties()).find((d) => d.duty === RETENTION_DUTY);
  return {
    configured: rule.eventsMs !== null || rule.completedTasksMs !== null,
    everySeconds: rule.everyMs / 1000,
    last: (duty?.outcome as RetentionOutcome | null)?.last ?? null,
  };
}
