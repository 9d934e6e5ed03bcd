import type { TaskPatch } from '../../core/lifecycle.js';
import type { Task, TaskEvent, Worker } from '../../core/types.js';

/** Conversions between the SQLite rows (ms integers, JSON text) and the core types. */

export type Row = Record<string, unknown>;

const iso = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const ms = (value: string | null | undefined): number | null => (value ? Date.parse(value) : null);
const json = (text: unknown): unknown => (text === null || text === undefined ? null : JSON.parse(String(text)));
const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

export function rowToTask(r: Row): Task {
  const leaseOwner = r.lease_owner as string | null;
  return {
    id: Number(r.id),
    title: String(r.title),
    description: (r.description as string | null) ?? null,
    type: String(r.type),
    status: r.status as Task['status'],
    priority: r.priority as Task['priority'],
    capabilities: json(r.capabilities) as string[],
    tags: json(r.tags) as string[],
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    dependsOn: r.depends_on ? (JSON.parse(String(r.depends_on)) as number[]).sort((a, b) => a - b) : [],
    estimateMinutes: r.estimate_minutes === null ? null : Number(r.estimate_minutes),
    complexity: r.complexity as Task['complexity'],
    command: (r.command as string | null) ?? null,
    input: json(r.input),
    result: json(r.result),
    progress: Number(r.progress),
    assignee: (r.assignee as string | null) ?? null,
    reservedFor: (r.reserved_for as string | null) ?? null,
    attempts: Number(r.attempts),
    retries: Number(r.retries),
    maxRetries: Number(r.max_retries),
    retryPolicy: json(r.retry_policy) as Task['retryPolicy'],
    timeoutSeconds: r.timeout_seconds === null ? null : Number(r.timeout_seconds),
    lastError: (r.last_error as string | null) ?? null,
    review: json(r.review) as Task['review'],
    notes: json(r.notes) as Task['notes'],
    checkpoints: json(r.checkpoints) as Task['checkpoints'],
    artifacts: json(r.artifacts) as Task['artifacts'],
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
    createdBy: (r.created_by as string | null) ?? null,
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

/** How each patchable field is written: one or more columns. */
const ENCODERS: Record<keyof TaskPatch, Encoder> = {
  title: col('title'),
  description: col('description'),
  type: col('type'),
  status: col('status'),
  priority: col('priority'),
  capabilities: (v: string[]) => ({ capabilities: JSON.stringify(v), cap_count: v.length }),
  tags: col('tags', (v: string[]) => JSON.stringify(v)),
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
  notes: col('notes', (v: unknown[]) => JSON.stringify(v)),
  checkpoints: col('checkpoints', (v: unknown[]) => JSON.stringify(v)),
  artifacts: col('artifacts', (v: unknown[]) => JSON.stringify(v)),
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
  };
}
