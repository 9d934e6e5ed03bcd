import { formatEstimate, formatSize, readEstimate } from '../../../src/core/values.js';
import type { Priority, Task, WorkerView } from '../api/types';

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10_000) return `${Math.round(ms / 100) / 10}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60 ? `${m % 60}m` : ''}`.trim();
  return `${Math.floor(h / 24)}d ${h % 24 ? `${h % 24}h` : ''}`.trim();
}

export function age(iso: string | null, now = Date.now()): string {
  return iso ? duration(now - Date.parse(iso)) : '—';
}

/** What a worker's process used at its last heartbeat; an offline worker's figures are history. */
export function workerUsage(w: WorkerView): string {
  if (!w.usage || !w.online) return '—';
  return `${formatSize(w.usage.rssBytes)} · ${w.usage.cpuPercent.toFixed(0)}%`;
}

export function time(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** An estimate as Baton prints it everywhere (`45m`, `6h`, `4h30m`), a form `--estimate` takes back. */
export function minutes(m: number | null): string {
  return m === null ? '—' : formatEstimate(m);
}

/** Reads an estimate as the CLI's `--estimate` does (`90m`, `4h30m`, `1d4h`; no bare numbers). */
export function parseEstimate(raw: string): number | null | { problem: string } {
  if (!raw.trim()) return null;
  const read = readEstimate(raw);
  return 'problem' in read ? read : read.minutes;
}

export function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Default wait targets from ready to claim (SPEC §8 config `sla`); a server may send its own. */
export const DEFAULT_SLA_MINUTES: Record<Priority, number | null> = {
  critical: 5,
  high: 30,
  normal: 240,
  low: 1440,
  maintenance: null,
};

export type SlaState = 'ok' | 'at-risk' | 'breached' | 'none';

/** How long a waiting task has waited against its priority's target. */
export function slaState(
  task: Task,
  sla: Record<Priority, number | null>,
  now = Date.now(),
): { state: SlaState; waitedMs: number } {
  const waiting = task.status === 'queued' || task.status === 'assigned';
  const target = sla[task.priority];
  const since = task.readyAt ?? task.createdAt;
  const waitedMs = now - Date.parse(since);
  if (!waiting || target === null) return { state: 'none', waitedMs };
  const ratio = waitedMs / (target * 60_000);
  return { state: ratio >= 1 ? 'breached' : ratio >= 0.75 ? 'at-risk' : 'ok', waitedMs };
}

export const SLA_LABEL: Record<SlaState, string> = {
  ok: 'within SLA',
  'at-risk': 'SLA at risk',
  breached: 'SLA breached',
  none: '',
};
