import type { Task, TaskEvent, Worker } from '../../core/types.js';
import { iso, jsonText, ms, num, type Row, str, taskColumns } from '../task-columns.js';

export type { Row };

/**
 * Conversions between PostgreSQL rows and the core types. Times are integer milliseconds and
 * `run_after = 0` means "no delay", exactly as in the SQLite store, so both backends map every
 * field the same way. `bigint` arrives as a string.
 */

/** Columns of `tasks` that hold JSON. */
export const JSON_COLUMNS: ReadonlySet<string> = new Set([
  'input',
  'result',
  'retry_policy',
  'review',
  'notes',
  'checkpoints',
  'artifacts',
  'recurrence',
  'swarm',
]);
/** The driver has already parsed `json` columns; a JSON string arrives as a JS string. */
const parsed = (value: unknown): unknown => (value === undefined ? null : value);
const numbers = (value: unknown): number[] => (Array.isArray(value) ? value.map(Number) : []);

const columns = taskColumns({
  readJson: parsed,
  readStrings: (v) => (Array.isArray(v) ? v.map(String) : []),
  readNumbers: numbers,
  writeStrings: (v) => [...v],
  writesCapCount: false,
});
export const { rowToTask, patchToColumns, taskToColumns } = columns;

/** A task as `json_populate_recordset` reads it: JSON columns as JSON values, not as text. */
export function taskToRecord(task: Task): Record<string, unknown> {
  const cols = taskToColumns(task);
  for (const key of JSON_COLUMNS) {
    const text = cols[key];
    cols[key] = typeof text === 'string' ? JSON.parse(text) : null;
  }
  return cols;
}

export function rowToEvent(r: Row): TaskEvent {
  return {
    id: Number(r.id),
    taskId: num(r.task_id),
    workerId: str(r.worker_id),
    actor: str(r.actor),
    type: String(r.type),
    at: iso(r.at) as string,
    changes: parsed(r.changes) as TaskEvent['changes'],
    data: parsed(r.data) as TaskEvent['data'],
  };
}

/** Parameters of `insertEvent`, in order. */
export function eventParams(e: Omit<TaskEvent, 'id'>): unknown[] {
  return [e.taskId, e.workerId, e.actor, e.type, ms(e.at), JSON.stringify(e.changes), jsonText(e.data)];
}

export function eventToRecord(e: TaskEvent): Record<string, unknown> {
  return {
    id: e.id,
    task_id: e.taskId,
    worker_id: e.workerId,
    actor: e.actor,
    type: e.type,
    at: ms(e.at),
    changes: e.changes,
    data: e.data,
  };
}

export function rowToWorker(r: Row): Worker {
  return {
    id: String(r.id),
    name: str(r.name),
    capabilities: [...(r.capabilities as string[])],
    host: str(r.host),
    pid: num(r.pid),
    concurrency: Number(r.concurrency),
    version: str(r.version),
    registeredAt: iso(r.registered_at) as string,
    lastSeenAt: iso(r.last_seen_at) as string,
    state: r.state as Worker['state'],
    usage: (r.usage as Worker['usage'] | null) ?? null,
    breaker: (r.breaker as Worker['breaker'] | undefined) ?? null,
  };
}

export function workerToRecord(w: Worker): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    capabilities: w.capabilities,
    host: w.host,
    pid: w.pid,
    concurrency: w.concurrency,
    version: w.version,
    registered_at: ms(w.registeredAt),
    last_seen_at: ms(w.lastSeenAt),
    state: w.state,
    usage: w.usage ?? null,
    breaker: w.breaker,
  };
}

/** Parameters of `upsertWorker`, in order. */
export function workerParams(w: Worker): unknown[] {
  const r = workerToRecord(w);
  return [
    r.id,
    r.name,
    r.capabilities,
    r.host,
    r.pid,
    r.concurrency,
    r.version,
    r.registered_at,
    r.last_seen_at,
    r.state,
    r.usage,
    r.breaker === null ? null : JSON.stringify(r.breaker),
  ];
}
