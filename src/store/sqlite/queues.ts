import type Database from 'better-sqlite3';
import { type ClaimCaps, hasCaps, type QueueCounts, type QueuePause, SYSTEM_QUEUE } from '../../core/queues.js';
import { PRIORITIES, type Priority } from '../../core/types.js';
import type { ClaimRequest } from '../store.js';

/** Pauses, queue counts and the claim's gate on SQLite (`core/queues.ts`). */

type Stmt = (sql: string) => Database.Statement;

const OPEN_WAITING = "('blocked', 'queued', 'assigned', 'paused')";
const READY = "status IN ('queued', 'assigned') AND run_after <= @now";

export const QUEUE_SQL = {
  pauses: 'SELECT queue, paused_at, paused_by FROM queue_pauses ORDER BY queue',
  pause: 'INSERT INTO queue_pauses (queue, paused_at, paused_by) VALUES (?, ?, ?) ON CONFLICT (queue) DO NOTHING',
  resume: 'DELETE FROM queue_pauses WHERE queue = ?',
  executingByQueue: `SELECT queue, count(*) AS n FROM tasks INDEXED BY tasks_executing_queue
    WHERE status = 'executing' AND lease_owner IS NOT NULL GROUP BY queue`,
  waiting: `SELECT count(*) FROM tasks WHERE queue = ? AND status IN ${OPEN_WAITING}`,
  // Params: @now and one breach cut-off per priority (ms; -1 when the priority has no target).
  counts: `SELECT queue,
      coalesce(sum(${READY}), 0) AS depth,
      coalesce(sum(status = 'executing' AND lease_owner IS NOT NULL), 0) AS executing,
      coalesce(sum(status IN ${OPEN_WAITING}), 0) AS waiting,
      min(CASE WHEN ${READY} THEN coalesce(ready_at, created_at) END) AS oldest,
      coalesce(sum(${READY} AND coalesce(ready_at, created_at) < CASE priority WHEN 'critical' THEN @critical
        WHEN 'high' THEN @high WHEN 'normal' THEN @normal WHEN 'low' THEN @low ELSE @maintenance END), 0) AS breaches
    FROM tasks WHERE status IN ('blocked', 'queued', 'assigned', 'paused', 'executing') GROUP BY queue ORDER BY queue`,
} as const;

export function readPauses(stmt: Stmt): QueuePause[] {
  return (stmt(QUEUE_SQL.pauses).all() as { queue: string; paused_at: number; paused_by: string | null }[]).map((r) => ({
    queue: r.queue,
    pausedAt: new Date(Number(r.paused_at)).toISOString(),
    pausedBy: r.paused_by,
  }));
}

export function writePause(stmt: Stmt, queue: string, pause: { atMs: number; by: string | null } | null): boolean {
  const info = pause ? stmt(QUEUE_SQL.pause).run(queue, pause.atMs, pause.by) : stmt(QUEUE_SQL.resume).run(queue);
  return info.changes > 0;
}

export function readQueueCounts(stmt: Stmt, nowMs: number, breachBefore: Record<Priority, number | null>): QueueCounts[] {
  const cut = Object.fromEntries(PRIORITIES.map((p) => [p, breachBefore[p] ?? -1]));
  const rows = stmt(QUEUE_SQL.counts).all({ now: nowMs, ...cut }) as Record<string, unknown>[];
  return rows.map((r) => ({
    queue: String(r.queue),
    depth: Number(r.depth),
    executing: Number(r.executing),
    waiting: Number(r.waiting),
    oldestReadyMs: r.oldest === null ? null : Number(r.oldest),
    breaches: Number(r.breaches),
  }));
}

/**
 * What a claim may take, read inside its write transaction (so no other claim runs meanwhile):
 * null when nothing (the system is paused, or the store-wide cap is reached); else the queues it
 * must leave out (paused, or at their cap), how many tasks it may take at most, and the leased
 * tasks executing per queue, for the checks between the tasks of a multi-claim.
 */
export interface ClaimGate {
  excluded: string[];
  room: number;
  executing: Map<string, number>;
  caps: ClaimCaps | undefined;
}

export function claimGate(stmt: Stmt, request: ClaimRequest): ClaimGate | null {
  const paused = readPauses(stmt).map((p) => p.queue);
  if (paused.includes(SYSTEM_QUEUE)) return null;
  const gate: ClaimGate = { excluded: paused, room: request.limit, executing: new Map(), caps: request.caps };
  if (!hasCaps(request.caps)) return gate;
  for (const r of stmt(QUEUE_SQL.executingByQueue).all() as { queue: string; n: number }[]) gate.executing.set(r.queue, r.n);
  const total = [...gate.executing.values()].reduce((a, b) => a + b, 0);
  if (request.caps.maxExecuting !== null) gate.room = Math.min(gate.room, request.caps.maxExecuting - total);
  if (gate.room <= 0) return null;
  for (const [queue, cap] of Object.entries(request.caps.queues)) {
    if ((gate.executing.get(queue) ?? 0) >= cap) gate.excluded.push(queue);
  }
  return gate;
}

/** Whether the gate lets one more task of `queue` be leased; counts it when it does. */
export function admit(gate: ClaimGate, queue: string, taken: number): boolean {
  if (taken >= gate.room) return false;
  const cap = gate.caps?.queues[queue];
  const now = gate.executing.get(queue) ?? 0;
  if (cap !== undefined && now >= cap) return false;
  gate.executing.set(queue, now + 1);
  return true;
}
