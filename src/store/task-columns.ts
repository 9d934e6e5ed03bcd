import type { TaskPatch } from '../core/lifecycle.js';
import type { DependencyCondition, Task } from '../core/types.js';

/**
 * The one mapping between a Task and the columns of `tasks`, shared by every backend. Times are
 * integer milliseconds and `run_after = 0` means "no delay" in both; what differs is how lists and
 * JSON travel through each driver, which a backend describes with a `ColumnCodec`.
 */
export interface ColumnCodec {
  /** A JSON column as read (text in SQLite; already parsed by the PostgreSQL driver). */
  readJson(value: unknown): unknown;
  /** A list of strings as read (JSON text in SQLite; `text[]` in PostgreSQL). */
  readStrings(value: unknown): string[];
  /** A list of ids as read (the aggregated `depends_on`). */
  readNumbers(value: unknown): number[];
  /** A list of strings as written. */
  writeStrings(value: string[]): unknown;
  /** Whether `cap_count` must be written (PostgreSQL derives it from `capabilities` itself). */
  writesCapCount: boolean;
}

export type Row = Record<string, unknown>;

export const iso = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
export const ms = (value: string | null | undefined): number | null => (value ? Date.parse(value) : null);
export const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
/**
 * JSON columns are written as text. PostgreSQL casts them in SQL (`$n::text::json`): left to the
 * driver, a JS boolean would be typed `boolean` and a JS string would be encoded twice.
 */
export const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

type Encoder = (value: never) => Record<string, unknown>;
const col =
  (name: string, encode: (v: never) => unknown = (v) => v): Encoder =>
  (v) => ({ [name]: encode(v) });

export interface TaskColumns {
  rowToTask(r: Row): Task;
  /** Column values for a patch. */
  patchToColumns(patch: TaskPatch): Record<string, unknown>;
  /** Column values for a whole task (insert and import). */
  taskToColumns(
    task: Omit<Task, 'id' | 'version' | 'dependsOn' | 'conditions'> & { id?: number; version?: number },
  ): Record<string, unknown>;
}

export function taskColumns(codec: ColumnCodec): TaskColumns {
  const encoders = taskEncoders(codec);
  const patchToColumns = (patch: TaskPatch): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const encode = encoders[key as keyof TaskPatch];
      if (!encode) throw new Error(`unknown task field ${key}`);
      Object.assign(out, encode(value as never));
    }
    return out;
  };
  return {
    rowToTask: (r) => rowToTask(r, codec),
    patchToColumns,
    taskToColumns(task) {
      const { id, version, createdAt, dependsOn: _deps, conditions: _conditions, ...rest } = task as Task;
      const cols = patchToColumns(rest as TaskPatch);
      cols.created_at = ms(createdAt);
      if (id !== undefined) cols.id = id;
      cols.version = version ?? 1;
      return cols;
    },
  };
}

function rowToTask(r: Row, c: ColumnCodec): Task {
  const leaseOwner = str(r.lease_owner);
  return {
    id: Number(r.id),
    title: String(r.title),
    description: str(r.description),
    type: String(r.type),
    status: r.status as Task['status'],
    priority: r.priority as Task['priority'],
    capabilities: c.readStrings(r.capabilities),
    resources: c.readStrings(r.resources),
    queue: str(r.queue) ?? 'default',
    tags: c.readStrings(r.tags),
    parentId: num(r.parent_id),
    dependsOn: c.readNumbers(r.depends_on).sort((a, b) => a - b),
    conditions: readConditions(c.readJson(r.conditions)),
    estimateMinutes: num(r.estimate_minutes),
    complexity: r.complexity as Task['complexity'],
    command: str(r.command),
    input: c.readJson(r.input),
    result: c.readJson(r.result),
    progress: Number(r.progress),
    assignee: str(r.assignee),
    reservedFor: str(r.reserved_for),
    attempts: Number(r.attempts),
    retries: Number(r.retries),
    maxRetries: Number(r.max_retries),
    retryPolicy: c.readJson(r.retry_policy) as Task['retryPolicy'],
    timeoutSeconds: num(r.timeout_seconds),
    lastError: str(r.last_error),
    review: c.readJson(r.review) as Task['review'],
    notes: c.readJson(r.notes) as Task['notes'],
    checkpoints: c.readJson(r.checkpoints) as Task['checkpoints'],
    artifacts: c.readJson(r.artifacts) as Task['artifacts'],
    lease: leaseOwner
      ? {
          owner: leaseOwner,
          token: Number(r.lease_token),
          expiresAt: iso(r.lease_expires_at) as string,
          seconds: Number(r.lease_seconds),
        }
      : null,
    leaseToken: Number(r.lease_token),
    pausedFrom: (str(r.paused_from) as Task['pausedFrom']) ?? null,
    createdBy: str(r.created_by),
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    runAfter: Number(r.run_after) > 0 ? iso(r.run_after) : null,
    readyAt: iso(r.ready_at),
    claimOrder: Number(r.claim_order),
    recurrence: (c.readJson(r.recurrence) as Task['recurrence']) ?? null,
    team: str(r.team),
    collaborators: c.readStrings(r.collaborators),
    swarm: (c.readJson(r.swarm) as Task['swarm']) ?? null,
    inputFrom: num(r.input_from),
    version: Number(r.version),
  };
}

/** The aggregated `conditions` of a row: `{ on, if }` per conditional dependency, by id. */
function readConditions(value: unknown): DependencyCondition[] {
  if (!Array.isArray(value)) return [];
  return value.map((c: { on: unknown; if: unknown }) => ({ on: Number(c.on), if: String(c.if) })).sort((a, b) => a.on - b.on);
}

/** How each patchable field is written: one or more columns. */
function taskEncoders(c: ColumnCodec): Record<keyof TaskPatch, Encoder> {
  const list = (v: unknown[]) => JSON.stringify(v);
  return {
    title: col('title'),
    description: col('description'),
    type: col('type'),
    status: col('status'),
    priority: col('priority'),
    capabilities: (v: string[]) =>
      c.writesCapCount ? { capabilities: c.writeStrings(v), cap_count: v.length } : { capabilities: c.writeStrings(v) },
    resources: col('resources', (v: string[]) => c.writeStrings(v)),
    queue: col('queue'),
    tags: col('tags', (v: string[]) => c.writeStrings(v)),
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
    recurrence: col('recurrence', jsonText),
    team: col('team'),
    collaborators: col('collaborators', (v: string[]) => c.writeStrings(v)),
    // `swarm_of` lets a claim find an attempt's siblings without reading JSON.
    swarm: (v: Task['swarm']) => ({ swarm: jsonText(v), swarm_of: v?.role === 'attempt' ? v.of : null }),
    inputFrom: col('input_from'),
    updatedAt: col('updated_at', ms),
  };
}
