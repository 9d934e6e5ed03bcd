import type { TaskPatch } from '../../core/lifecycle.js';
import type { Task, TaskEvent, Worker } from '../../core/types.js';

/**
 * Conversions between PostgreSQL rows and the core types. Times are integer milliseconds and
 * `run_after = 0` means "no delay", exactly as in the SQLite store, so both backends map every
 * field the same way. `bigint` arrives as a string.
 */

export type Row = Record<string, unknown>;

const iso = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const ms = (value: string | null | undefined): number | null => (value ? Date.parse(value) : null);
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
/**
 * JSON columns are sent as text and cast in SQL (`$n::text::json`): left to the driver, a JS
 * boolean would be typed `boolean` and a JS string would be encoded twice.
 */
const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** Columns of `tasks` that hold JSON. */
export const JSON_COLUMNS: ReadonlySet<string> = new Set([
  'input',
  'result',
  'retry_policy',
  'review',
  'notes',
  'checkpoints',
  'artifacts',
]);
/** The driver has already parsed `json` columns; a JSON string arrives as a JS string. */
const parsed = (value: unknown): unknown => (value === undefined ? null : value);
const numbers = (value: unknown): number[] => (Array.isArray(value) ? value.map(Number) : []);

export function rowToTask(r: Row): Task {
  const leaseOwner = str(r.lease_owner);
  return {
    id: Number(r.id),
    title: String(r.title),
    description: str(r.description),
    type: String(r.type),
    status: r.status as Task['status'],
    priority: r.priority as Task['priority'],
    capabilities: [...(r.capabilities as string[])],
    tags: [...(r.tags as string[])],
    parentId: num(r.parent_id),
    dependsOn: numbers(r.depends_on).sort((a, b) => a - b),
    estimateMinutes: num(r.estimate_minutes),
    complexity: r.complexity as Task['complexity'],
    command: str(r.command),
    input: parsed(r.input),
    result: parsed(r.result),
    progress: Number(r.progress),
    assignee: str(r.assignee),
    reservedFor: str(r.reserved_for),
    attempts: Number(r.attempts),
    retries: Number(r.retries),
    maxRetries: Number(r.max_retries),
    retryPolicy: parsed(r.retry_policy) as Task['retryPolicy'],
    timeoutSeconds: num(r.timeout_seconds),
    lastError: str(r.last_error),
    review: parsed(r.review) as Task['review'],
    notes: parsed(r.notes) as Task['notes'],
    checkpoints: parsed(r.checkpoints) as Task['checkpoints'],
    artifacts: parsed(r.artifacts) as Task['artifacts'],
    lease: leaseOwner
      ? {
          owner: leaseOwner,
          token: Number(r.lease_token),
          expiresAt: iso(r.lease_expires_at) as string,
          seconds: Number(r.lease_seconds),
        }
      : null,
    leaseToken: Number(r.lease_token),
    pausedFrom: (r.paused_from as Task['pausedFrom']) ?? null,
    createdBy: str(r.created_by),
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    runAfter: Number(r.run_after) > 0 ? iso(r.run_after) : null,
    readyAt: iso(r.ready_at),
    claimOrder: Number(r.claim_order),
    version: Number(r.version),
  };
}

type Encoder = (value: never) => Record<string, unknown>;
const col =
  (name: string, encode: (v: never) => unknown = (v) => v): Encoder =>
  (v) => ({ [name]: encode(v) });
const list = (v: unknown[]) => JSON.stringify(v);

/** How each patchable field is written: one or more columns. */
const ENCODERS: Record<keyof TaskPatch, Encoder> = {
  title: col('title'),
  description: col('description'),
  type: col('type'),
  status: col('status'),
  priority: col('priority'),
  capabilities: col('capabilities', (v: string[]) => [...v]),
  tags: col('tags', (v: string[]) => [...v]),
  parentId: col('parent_id'),
  estimateMinutes: col('estimate_minutes'),
  complexity: col('complexity'),
  command: col('command'),
  input: col('input', jsonText),
  result: col('result', jsonText),
  progress: col('progress'),
  assignee: col('assignee'),
  reservedFor: col('reserved_for'),
  attempts: col('attempts'),
  retries: col('retries'),
  maxRetries: col('max_retries'),
  retryPolicy: col('retry_policy', jsonText),
  timeoutSeconds: col('timeout_seconds'),
  lastError: col('last_error'),
  review: col('review', jsonText),
  notes: col('notes', list),
  checkpoints: col('checkpoints', list),
  artifacts: col('artifacts', list),
  lease: (v: Task['lease']) => ({
    lease_owner: v?.owner ?? null,
    lease_expires_at: ms(v?.expiresAt),
    lease_seconds: v?.seconds ?? null,
  }),
  leaseToken: col('lease_token'),
  pausedFrom: col('paused_from'),
  createdBy: col('created_by'),
  startedAt: col('started_at', ms),
  completedAt: col('completed_at', ms),
  runAfter: col('run_after', (v: string | null) => ms(v) ?? 0),
  readyAt: col('ready_at', ms),
  claimOrder: col('claim_order'),
  updatedAt: col('updated_at', ms),
};

/** Column values for a patch. */
export function patchToColumns(patch: TaskPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const encode = ENCODERS[key as keyof TaskPatch];
    if (!encode) throw new Error(`unknown task field ${key}`);
    Object.assign(out, encode(value as never));
  }
  return out;
}

/** Column values for a whole task (insert and import). */
export function taskToColumns(
  task: Omit<Task, 'id' | 'version' | 'dependsOn'> & { id?: number; version?: number },
): Record<string, unknown> {
  const { id, version, createdAt, dependsOn: _deps, ...rest } = task as Task;
  const cols = patchToColumns(rest as TaskPatch);
  cols.created_at = ms(createdAt);
  if (id !== undefined) cols.id = id;
  cols.version = version ?? 1;
  return cols;
}

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
  };
}

/** Parameters of `upsertWorker`, in order. */
export function workerParams(w: Worker): unknown[] {
  const r = workerToRecord(w);
  return [r.id, r.name, r.capabilities, r.host, r.pid, r.concurrency, r.version, r.registered_at, r.last_seen_at, r.state];
}
