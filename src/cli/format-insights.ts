import type { Analytics, AnalyticsGroup, Burndown, TaskBrief, WorkerDetail } from '../app/baton.js';
import { formatEstimate } from '../core/values.js';
import { pc, relativeTime } from './colors.js';
import { table } from './format.js';

/** Human output of the views that look back: a worker's record, analytics, a burndown. */

const pct = (share: number | null) => (share === null ? '-' : `${Math.round(share * 1000) / 10}%`);

/** Seconds as a person reads a duration: `45s`, `12m`, `3h 5m`. */
export function formatSeconds(s: number | null): string {
  if (s === null) return '-';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

function briefRows(tasks: TaskBrief[], now: number): string[][] {
  return tasks.map((t) => [
    `#${t.id}`,
    t.title.length > 48 ? `${t.title.slice(0, 47)}…` : t.title,
    t.status,
    t.finishedAt ? relativeTime(t.finishedAt, now) : `${t.progress}%`,
    formatSeconds(t.runSeconds),
  ]);
}

export function formatWorkerDetail(d: WorkerDetail, now = Date.now()): string {
  const w = d.worker;
  const r = d.record;
  const lines = [
    `${pc.bold(w.id)}${w.name ? ` (${w.name})` : ''}  ${w.health}${w.state === 'stopped' ? ', stopped' : ''}, last seen ${relativeTime(w.lastSeenAt, now)}`,
    `capabilities: ${w.capabilities.join(', ') || 'any'} · concurrency ${w.concurrency}${w.host ? ` · ${w.host}` : ''}`,
    `success rate: ${pct(r.successRate)} (${r.completed} completed, ${r.failed} failed of its last ${r.sample} finished) · median run ${formatSeconds(r.medianRunSeconds)}`,
    '',
    pc.bold('Current'),
    d.current.length ? table(['ID', 'TITLE', 'STATUS', 'PROGRESS', 'RAN'], briefRows(d.current, now)) : pc.dim('none'),
    '',
    pc.bold('Recent'),
    d.recent.length ? table(['ID', 'TITLE', 'STATUS', 'FINISHED', 'RAN'], briefRows(d.recent, now)) : pc.dim('none'),
  ];
  return lines.join('\n');
}

function groupTable(title: string, groups: AnalyticsGroup[]): string {
  if (groups.length === 0) return `${pc.bold(title)}\n${pc.dim('nothing finished')}`;
  const rows = groups.map((g) => [
    g.key,
    String(g.completed),
    String(g.failed),
    pct(g.failureRate),
    formatSeconds(g.medianRunSeconds),
  ]);
  return `${pc.bold(title)}\n${table(['KEY', 'COMPLETED', 'FAILED', 'FAILURE', 'MEDIAN RUN'], rows)}`;
}

export function formatAnalytics(a: Analytics): string {
  const t = a.totals;
  const head = [
    `last ${a.range}: ${t.completed} completed, ${t.failed} failed (failure rate ${pct(t.failureRate)})`,
    `median wait ${formatSeconds(t.medianWaitSeconds)} · median run ${formatSeconds(t.medianRunSeconds)} · p90 run ${formatSeconds(t.p90RunSeconds)}`,
  ];
  if (!a.sample.complete) head.push(pc.yellow(`from the newest ${a.sample.tasks} finished tasks only`));
  const workers = a.byWorker.map((w) => [
    w.workerId,
    String(w.completed),
    String(w.failed),
    formatSeconds(w.busySeconds),
    pct(w.utilisation),
  ]);
  const epics = a.epics.map((e) => `#${e.id} ${e.title} (${e.finished} finished)`);
  return [
    ...head,
    '',
    groupTable('By capability', a.byCapability),
    '',
    groupTable('By tag', a.byTag),
    '',
    pc.bold('By worker'),
    workers.length ? table(['WORKER', 'COMPLETED', 'FAILED', 'BUSY', 'UTILISATION'], workers) : pc.dim('none'),
    ...(epics.length ? ['', pc.bold('Epics with work finished'), ...epics] : []),
  ].join('\n');
}

export function formatBurndown(b: Burndown): string {
  const last = b.points.at(-1);
  const rows = b.points.map((p) => [p.at, String(p.remaining), formatEstimate(p.remainingMinutes), String(p.scope)]);
  return [
    `#${b.taskId} ${b.title} (${b.status}): ${b.done} of ${b.leaves} leaves done, ${last?.remaining ?? 0} remaining` +
      (b.unestimated ? ` (${b.unestimated} without an estimate)` : ''),
    table(['AT', 'REMAINING', 'ESTIMATE LEFT', 'SCOPE'], rows),
  ].join('\n');
}
