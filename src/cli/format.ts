import type { SystemStatus, TaskDetail, TaskPage } from '../app/baton.js';
import type { Bid } from '../core/assignment.js';
import { type SkipReason, skipText } from '../core/conditions.js';
import { isFinal } from '../core/lifecycle.js';
import { scheduleNote } from '../core/schedule-note.js';
import type { Task, TaskEvent, TaskStatus, WorkerView } from '../core/types.js';
import { formatEstimate, formatSize } from '../core/values.js';
import { pc, relativeTime } from './colors.js';
import { breakerText } from './format-fleet.js';
import { teamworkLines } from './format-teams.js';

/** Human output: tables and colours for people (`--json` bypasses all of this). */

const STATUS_COLOR: Record<TaskStatus, (s: string) => string> = {
  blocked: pc.magenta,
  queued: pc.cyan,
  assigned: pc.blue,
  executing: pc.yellow,
  paused: pc.gray,
  reviewing: pc.blue,
  completed: pc.green,
  failed: pc.red,
  cancelled: pc.gray,
  skipped: pc.dim,
};

const PRIORITY_COLOR: Record<string, (s: string) => string> = {
  critical: (s) => pc.bold(pc.red(s)),
  high: pc.red,
  normal: (s) => s,
  low: pc.dim,
  maintenance: pc.dim,
};

const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string) => s.replace(ANSI, '').length;
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));
const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s);

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [pc.bold(line(headers)), ...rows.map(line)].join('\n');
}

export const status = (s: TaskStatus) => (STATUS_COLOR[s] ?? ((x: string) => x))(s);
export const priority = (p: string) => (PRIORITY_COLOR[p] ?? ((x: string) => x))(p);

export function progressBar(percent: number, size = 10): string {
  const filled = Math.round((percent / 100) * size);
  return `${'█'.repeat(filled)}${'░'.repeat(size - filled)} ${String(Math.round(percent)).padStart(3)}%`;
}

export function formatTaskLine(t: Task): string {
  return `#${t.id} ${t.title} [${status(t.status)}, ${priority(t.priority)}]`;
}

/**
 * A page of tasks as a table that fits `width` columns (titles cut with …). `before`: tasks on
 * earlier pages, when known (an offset); with a cursor it is not. `depth` indents subtasks (`--tree`).
 */
export function formatList(
  page: TaskPage,
  limit: number | undefined,
  before: number | null = 0,
  options: { width?: number; now?: number; depth?: ReadonlyMap<number, number> } = {},
): string {
  if (page.tasks.length === 0) return pc.dim('no tasks');
  const now = options.now ?? Date.now();
  const total = options.width ?? Number.POSITIVE_INFINITY;
  const cells = page.tasks.map((t) => ({
    t,
    fixed: [
      pc.bold(`#${t.id}`),
      status(t.status),
      priority(t.priority),
      t.assignee ?? pc.dim('-'),
      t.capabilities.length ? clip(t.capabilities.join(','), 20) : pc.dim('-'),
      progressBar(t.progress),
      relativeTime(t.updatedAt, now),
    ],
  }));
  const headers = ['ID', 'STATUS', 'PRIORITY', 'ASSIGNEE', 'CAPABILITIES', 'PROGRESS', 'UPDATED'];
  // Narrow terminals drop the least needed columns first, so the title keeps some room.
  let keep = headers.map((_, i) => i);
  const widthOf = (cols: number[]) =>
    cols.reduce((n, i) => n + Math.max(width(headers[i] ?? ''), ...cells.map((c) => width(c.fixed[i] ?? ''))) + 2, 0);
  for (const drop of [4, 3, 5, 6]) if (total - widthOf(keep) < 20) keep = keep.filter((i) => i !== drop);
  const titleWidth = Math.max(8, total - widthOf(keep) - 2);
  const rows = cells.map(({ t, fixed }) => {
    const indent = '  '.repeat(options.depth?.get(t.id) ?? 0);
    const flags = complexityFlag(t) + scheduleFlag(t);
    const room = Math.max(4, titleWidth - indent.length - width(flags));
    const title = indent + clip(t.title, room) + flags;
    const kept = keep.map((i) => fixed[i] ?? '');
    return [...kept.slice(0, 3), clipShown(title, titleWidth), ...kept.slice(3)];
  });
  const heads = keep.map((i) => headers[i] ?? '');
  const out = table([...heads.slice(0, 3), 'TITLE', ...heads.slice(3)], rows);
  if (page.next === null || limit === undefined) return out;
  const more = before === null ? 'more' : `${page.total - before - page.tasks.length} more`;
  return `${out}\n${pc.dim(`… ${more} (next page: --cursor ${page.next})`)}`;
}

/** Cuts text that may hold colours to `w` visible characters. */
function clipShown(s: string, w: number): string {
  return width(s) > w ? clip(s.replace(ANSI, ''), w) : s;
}

/** A scheduled task's start time, or a recurring task's cron, after its title in a listing. */
function scheduleFlag(t: Task): string {
  const note = scheduleNote(t, Date.now());
  return note ? pc.cyan(` (${note})`) : '';
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : pc.dim('-'));

export function formatDetail(d: TaskDetail): string {
  const t = d.task;
  const field = (k: string, v: string) => `  ${pc.dim(k.padEnd(13))} ${v}`;
  const lines = [
    `${pc.bold(`#${t.id}`)} ${pc.bold(t.title)}`,
    field('status', status(t.status) + (t.pausedFrom ? pc.dim(` (paused from ${t.pausedFrom})`) : '')),
    field('priority', priority(t.priority)),
    field('type', t.type),
    field('complexity', t.complexity + (t.estimateMinutes ? pc.dim(` (estimate ${formatMinutes(t.estimateMinutes)})`) : '')),
    field('progress', progressBar(t.progress)),
    field('capabilities', t.capabilities.join(', ') || pc.dim('-')),
    ...((t.resources ?? []).length > 0 ? [field('resources', t.resources.join(', '))] : []),
    ...(t.queue && t.queue !== 'default' ? [field('queue', t.queue)] : []),
    field('tags', t.tags.join(', ') || pc.dim('-')),
    field('assignee', t.assignee ?? pc.dim('-')),
    field('depends on', formatIds(dependencies(d)) || pc.dim('-')),
  ];
  for (const c of t.conditions) lines.push(field('', pc.dim(`#${c.on} only if ${c.if}`)));
  const skipped = t.status === 'skipped' ? d.history.findLast((e) => e.type === 'skipped') : undefined;
  if (skipped?.data) lines.push(field('skipped', pc.yellow(skipText(skipped.data as unknown as SkipReason))));
  if (d.blockedBy.length > 0) {
    const why = d.blockedBy.map((b) => `#${b.id} ${clip(b.title, 40)} (${status(b.status)})`).join('; ');
    lines.push(field('blocked by', why));
    if (d.blockedBy.some((b) => b.status === 'cancelled' || b.status === 'failed')) {
      lines.push(field('', pc.yellow('a dependency will never complete: retry it, or `baton undepend` it')));
    }
  }
  if (d.waiting && d.waiting.reason !== 'blocked') lines.push(field('waiting', pc.yellow(d.waiting.message)));
  if (t.parentId) lines.push(field('parent', `#${t.parentId}`));
  lines.push(...teamworkLines(t, field));
  if (d.subtasks?.length) {
    const done = d.subtasks.filter((s) => s.status === 'completed').length;
    lines.push(field('subtasks', `${done}/${d.subtasks.length} completed (progress rolls up, weighted by estimate)`));
    for (const s of d.subtasks) {
      const est = s.estimateMinutes !== null ? ` ${formatMinutes(s.estimateMinutes)}` : '';
      lines.push(field('', `#${s.id} ${clip(s.title, 50)} [${status(s.status)}] ${progressBar(s.progress, 5)}${pc.dim(est)}`));
    }
  }
  if (t.command) lines.push(field('command', t.command));
  for (const [i, b] of (d.bids ?? []).entries()) lines.push(field(i === 0 ? 'bids' : '', formatBid(b)));
  if (t.lease) lines.push(field('lease', `${t.lease.owner}, token ${t.lease.token}, expires ${when(t.lease.expiresAt)}`));
  lines.push(field('attempts', `${t.attempts} (retries ${t.retries}/${t.maxRetries})`));
  if (t.runAfter) lines.push(field('run after', when(t.runAfter)));
  const schedule = scheduleNote(t, Date.now());
  if (schedule) lines.push(field('schedule', pc.cyan(schedule)));
  if (t.recurrence?.templateId)
    lines.push(field('recurring', `occurrence of #${t.recurrence.templateId}, fire time ${when(t.recurrence.fireAt)}`));
  if (t.lastError) lines.push(field('last error', pc.red(clip(t.lastError, 200))));
  if (t.review) {
    const r = t.review;
    lines.push(
      field(
        'review',
        `${r.verdict ?? 'pending'}${r.reviewer ? ` by ${r.reviewer}` : ''}${r.score !== null ? `, score ${r.score}` : ''}${r.feedback ? `: ${r.feedback}` : ''}`,
      ),
    );
  }
  if (t.input !== null && t.input !== undefined) lines.push(field('input', clip(JSON.stringify(t.input), 200)));
  if (t.result !== null && t.result !== undefined) lines.push(field('result', clip(JSON.stringify(t.result), 200)));
  lines.push(field('created', `${when(t.createdAt)}${t.createdBy ? ` by ${t.createdBy}` : ''}`));
  if (t.startedAt) lines.push(field('started', when(t.startedAt)));
  if (t.completedAt) lines.push(field('completed', when(t.completedAt)));
  lines.push(field('version', String(t.version)));
  if (t.description) lines.push('', ...t.description.split('\n').map((l) => `  ${l}`));
  for (const n of t.notes) lines.push(`  ${pc.dim('note')} ${when(n.at)} ${n.by}: ${n.text}`);
  for (const a of t.artifacts) lines.push(`  ${pc.dim('artifact')} ${a.path} (${a.by})`);
  lines.push('', pc.bold('History'), formatHistory(d.history));
  return lines.join('\n');
}

export function formatHistory(events: TaskEvent[]): string {
  if (events.length === 0) return pc.dim('  (none)');
  return events
    .map((e) => {
      const changes = Object.entries(e.changes)
        .map(([k, [before, after]]) => `${k}: ${show(before)} → ${show(after)}`)
        .join(', ');
      const data =
        e.data && Object.keys(e.data).length && e.type !== 'created' ? pc.dim(` ${clip(JSON.stringify(e.data), 80)}`) : '';
      return `  ${pc.dim(when(e.at))}  ${pad(e.actor ?? '-', 14)} ${pad(pc.bold(e.type), 18)} ${changes}${data}`;
    })
    .join('\n');
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'string') return clip(v, 40);
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') {
    return v
      .map((x) =>
        clip(
          String(
            (x as Record<string, unknown>).text ??
              (x as Record<string, unknown>).path ??
              (x as Record<string, unknown>).name ??
              '',
          ),
          40,
        ),
      )
      .join('; ');
  }
  if (typeof v === 'object' && v && 'owner' in v) {
    const lease = v as unknown as { owner: string; token: number };
    return `${lease.owner}#${lease.token}`;
  }
  return clip(JSON.stringify(v), 40);
}

const formatIds = (ids: number[]) => ids.map((id) => `#${id}`).join(', ');

/** A parent depends on its subtasks too; those are listed apart. */
const dependencies = (d: TaskDetail) => d.task.dependsOn.filter((id) => !d.subtasks?.some((s) => s.id === id));

/** Marks big tasks in lists: a parent is split already; an unsplit complex or epic one may need it. */
function complexityFlag(t: Task): string {
  if (isFinal(t.status)) return '';
  if (t.status === 'executing' && !t.lease && t.dependsOn.length > 0) return pc.dim(' ▸ subtasks');
  if (t.complexity === 'epic' || t.complexity === 'complex') return pc.yellow(` ⚑ ${t.complexity}`);
  return '';
}

/** An estimate as `--estimate` takes it back (`45m`, `6h`, `4h30m`). */
export function formatMinutes(m: number): string {
  return formatEstimate(m);
}

export function formatWorkers(workers: WorkerView[]): string {
  if (workers.length === 0) return pc.dim('no workers registered');
  const health = { busy: pc.yellow, idle: pc.green, offline: pc.gray } as const;
  return table(
    ['ID', 'NAME', 'HEALTH', 'CAPABILITIES', 'TASKS', 'BREAKER', 'MEM', 'CPU', 'LAST SEEN', 'HOST'],
    workers.map((w) => [
      pc.bold(w.id),
      w.name ?? pc.dim('-'),
      health[w.health](w.health),
      w.capabilities.join(',') || pc.dim('-'),
      w.currentTasks.map((id) => `#${id}`).join(',') || pc.dim('-'),
      breakerText(w),
      // What the process used at its last heartbeat; an offline worker's figures are history.
      w.usage && w.online ? formatSize(w.usage.rssBytes) : pc.dim('-'),
      w.usage && w.online ? `${w.usage.cpuPercent.toFixed(0)}%` : pc.dim('-'),
      when(w.lastSeenAt),
      w.host ? `${w.host}${w.pid ? `:${w.pid}` : ''}` : pc.dim('-'),
    ]),
  );
}

export function formatStatus(s: SystemStatus): string {
  // A parent is executing only through its subtasks: counted apart from the work workers hold.
  const parents = s.tasks.inProgressViaSubtasks;
  const counts = (Object.entries(s.tasks.byStatus) as [TaskStatus, number][])
    .map(([k, n]) => [k, k === 'executing' ? n - parents : n] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${status(k)} ${n}`)
    .concat(parents > 0 ? [`${pc.dim('in progress via subtasks')} ${parents}`] : [])
    .join('  ');
  const ready = Object.entries(s.readyByPriority)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${priority(p)} ${n}`)
    .join('  ');
  return [
    ...formatPauses(s),
    `${pc.bold('Store')}       ${s.store.kind} ${s.store.location}`,
    `${pc.bold('Tasks')}       ${s.tasks.total} total${counts ? `  ·  ${counts}` : ''}`,
    `${pc.bold('Queue')}       ${s.queueDepth} ready${ready ? `  ·  ${ready}` : ''}`,
    `${pc.bold('Workers')}     ${s.workers.online} online (${s.workers.busy} busy, ${s.workers.idle} idle), ${s.workers.offline} offline${s.workers.breakersOpen > 0 ? pc.red(`, ${s.workers.breakersOpen} with the circuit breaker open`) : ''}`,
    `${pc.bold('Throughput')}  ${s.throughput.completedLastHour} completed in the last hour`,
    ...formatStats(s),
    ...formatMaintenance(s),
    ...(s.openAlerts ?? []).map((a, i) => `${i === 0 ? `${pc.bold('Alerts')}      ` : ' '.repeat(12)}${pc.red(a.message)}`),
    ...(s.stuck?.messages ?? []).map((m, i) => `${i === 0 ? `${pc.bold('Stuck')}       ` : ' '.repeat(12)}${pc.yellow(m)}`),
  ].join('\n');
}

/** Pauses first: a paused system explains every other line. */
function formatPauses(s: SystemStatus): string[] {
  return (s.pauses ?? []).map((p) =>
    pc.yellow(
      `${pc.bold('PAUSED')}      ${p.queue === null ? 'claims of every queue' : `claims of queue ${p.queue}`} since ${p.pausedAt}${p.pausedBy ? ` by ${p.pausedBy}` : ''} (baton system resume${p.queue === null ? '' : ` --queue ${p.queue}`})`,
    ),
  );
}

function formatMaintenance(s: SystemStatus): string[] {
  const b = s.maintenance?.backup;
  if (!b) return [];
  const last = b.last ? `last ${b.last.at} (${formatSize(b.last.bytes)}, ${b.last.file})` : 'none taken yet';
  const next = b.schedule ? `  ·  next after ${b.schedule.nextAt}` : '';
  const lines = [`${pc.bold('Backup')}      ${last}${next}`];
  if (b.lastFailure && (!b.last || b.lastFailure.at > b.last.at)) {
    lines.push(`${' '.repeat(12)}${pc.red(`failed ${b.lastFailure.at}: ${b.lastFailure.message}`)}`);
  }
  return lines;
}

function formatStats(s: SystemStatus): string[] {
  const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`);
  const secs = (v: number | null) => (v === null ? '–' : v < 90 ? `${v.toFixed(1)}s` : `${(v / 60).toFixed(1)}m`);
  const t = s.timeToAssignment;
  const breaches = Object.entries(s.sla.breaches)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${priority(p)} ${n}`)
    .join('  ');
  return [
    `${pc.bold('Assignment')}  ${secs(t.avgSeconds)} average wait (p95 ${secs(t.p95Seconds)}, ${t.samples} recent claims)`,
    `${pc.bold('Rates')}       completion ${pct(s.completionRate)}  ·  utilisation ${pct(s.utilisation)}`,
    `${pc.bold('SLA')}         ${s.sla.totalBreaches} ready tasks past their target${breaches ? `  ·  ${breaches}` : ''}`,
  ];
}

/** One bid as `show` lists it: worker, score, estimate, note, time. */
export function formatBid(b: Bid): string {
  const eta = b.etaSeconds !== null ? pc.dim(` eta ${formatMinutes(Math.max(1, Math.round(b.etaSeconds / 60)))}`) : '';
  const note = b.note ? pc.dim(` "${clip(b.note, 40)}"`) : '';
  return `${b.workerId} ${b.score.toFixed(2)}${eta}${note} ${pc.dim(`auction ${b.offerId}, ${when(b.at)}`)}`;
}
