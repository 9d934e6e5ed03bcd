import { hasCaps, type QueueCounts, type QueuePause } from '../../core/queues.js';
import type { ClaimRequest } from '../store.js';
import type { Row } from './rows.js';
import { ident } from './sql.js';

/** Pauses and queue counts of the PostgreSQL store (migration 14): its statements and row shapes. */
export function queueStatements(schema: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  const ready = "status IN ('queued', 'assigned') AND run_after <= $1";
  return {
    pauses: `SELECT queue, paused_at, paused_by FROM ${q('queue_pauses')} ORDER BY queue`,
    pause: `INSERT INTO ${q('queue_pauses')} (queue, paused_at, paused_by) VALUES ($1, $2, $3) ON CONFLICT (queue) DO NOTHING RETURNING queue`,
    resume: `DELETE FROM ${q('queue_pauses')} WHERE queue = $1 RETURNING queue`,
    // Serialises the additions to one queue, so two of them never both see room for one more.
    lockQueue: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    waiting: `SELECT count(*)::int AS n FROM ${q('tasks')} WHERE queue = $1 AND status IN ('blocked', 'queued', 'assigned', 'paused')`,
    // $1 now; $2–$6 the breach cut-off per priority (ms; -1 when the priority has no target).
    counts: `SELECT queue,
        count(*) FILTER (WHERE ${ready})::int AS depth,
        count(*) FILTER (WHERE status = 'executing' AND lease_owner IS NOT NULL)::int AS executing,
        count(*) FILTER (WHERE status IN ('blocked', 'queued', 'assigned', 'paused'))::int AS waiting,
        min(coalesce(ready_at, created_at)) FILTER (WHERE ${ready}) AS oldest,
        count(*) FILTER (WHERE ${ready} AND coalesce(ready_at, created_at) < CASE priority WHEN 'critical' THEN $2::bigint
          WHEN 'high' THEN $3::bigint WHEN 'normal' THEN $4::bigint WHEN 'low' THEN $5::bigint ELSE $6::bigint END)::int AS breaches
      FROM ${q('tasks')} WHERE status IN ('blocked', 'queued', 'assigned', 'paused', 'executing') GROUP BY queue ORDER BY queue`,
  };
}

/** The claim statement's queue parameters (`QueueParams` of sql.ts), without the resources flag. */
export function claimQueueParams(request: ClaimRequest): unknown[] {
  const caps = hasCaps(request.caps) ? request.caps : undefined;
  return [
    request.queues ? [...request.queues] : null,
    caps && Object.keys(caps.queues).length > 0 ? JSON.stringify(caps.queues) : null,
    caps?.maxExecuting ?? null,
  ];
}

export const pausesOf = (rows: Row[]): QueuePause[] =>
  rows.map((r) => ({
    queue: String(r.queue),
    pausedAt: new Date(Number(r.paused_at)).toISOString(),
    pausedBy: (r.paused_by as string | null) ?? null,
  }));

export const queueCountsOf = (rows: Row[]): QueueCounts[] =>
  rows.map((r) => ({
    queue: String(r.queue),
    depth: Number(r.depth),
    executing: Number(r.executing),
    waiting: Number(r.waiting),
    oldestReadyMs: r.oldest === null ? null : Number(r.oldest),
    breaches: Number(r.breaches),
  }));
