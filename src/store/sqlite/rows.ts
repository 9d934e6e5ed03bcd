import type { TaskEvent, Worker } from '../../core/types.js';
import { iso, jsonText, ms, type Row, taskColumns } from '../task-columns.js';

/** Conversions between the SQLite rows (ms integers, JSON text) and the core types. */

export type { Row };

const json = (text: unknown): unknown => (text === null || text === undefined ? null : JSON.parse(String(text)));

const columns = taskColumns({
  readJson: json,
  readStrings: (v) => (v === null || v === undefined ? [] : (JSON.parse(String(v)) as string[])),
  readNumbers: (v) => (v ? (JSON.parse(String(v)) as number[]) : []),
  writeStrings: (v) => JSON.stringify(v),
  writesCapCount: true,
});
export const { rowToTask, patchToColumns, taskToColumns } = columns;

export function rowToEvent(r: Row): TaskEvent {
  return {
    id: Number(r.id),
    taskId: r.task_id === null ? null : Number(r.task_id),
    workerId: (r.worker_id as string | null) ?? null,
    actor: (r.actor as string | null) ?? null,
    type: String(r.type),
    at: iso(r.at) as string,
    changes: JSON.parse(String(r.changes)),
    data: json(r.data) as TaskEvent['data'],
  };
}

export function eventToColumns(e: Omit<TaskEvent, 'id'> & { id?: number }): Record<string, unknown> {
  return {
    ...(e.id !== undefined ? { id: e.id } : {}),
    task_id: e.taskId,
    worker_id: e.workerId,
    actor: e.actor,
    type: e.type,
    at: ms(e.at),
    changes: JSON.stringify(e.changes),
    data: jsonText(e.data),
  };
}

export function rowToWorker(r: Row): Worker {
  return {
    id: String(r.id),
    name: (r.name as string | null) ?? null,
    capabilities: JSON.parse(String(r.capabilities)),
    host: (r.host as string | null) ?? null,
    pid: r.pid === null ? null : Number(r.pid),
    concurrency: Number(r.concurrency),
    version: (r.version as string | null) ?? null,
    registeredAt: iso(r.registered_at) as string,
    lastSeenAt: iso(r.last_seen_at) as string,
    state: r.state as Worker['state'],
    usage: r.usage ? JSON.parse(String(r.usage)) : null,
    breaker: r.breaker ? JSON.parse(String(r.breaker)) : null,
  };
}

export function workerToColumns(w: Worker): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    capabilities: JSON.stringify(w.capabilities),
    host: w.host,
    pid: w.pid,
    concurrency: w.concurrency,
    version: w.version,
    registered_at: ms(w.registeredAt),
    last_seen_at: ms(w.lastSeenAt),
    state: w.state,
    usage: jsonText(w.usage ?? null),
    breaker: w.breaker ? JSON.stringify(w.breaker) : null,
  };
}
