import { BatonError } from '../core/errors.js';
import type { Edge } from '../core/graph.js';
import type { TaskPatch } from '../core/lifecycle.js';
import type { ClaimCaps, QueueCounts, QueuePause } from '../core/queues.js';
import type { Resource } from '../core/resources.js';
import type { TaskSort } from '../core/search.js';
import type {
  ApiKey,
  BatonDump,
  DependencyCondition,
  KeyCapability,
  NewEvent,
  Priority,
  Task,
  TaskEvent,
  TaskStatus,
  Worker,
} from '../core/types.js';
import { KEY_CAPABILITIES, PRIORITIES } from '../core/types.js';
import type { WorkflowRecord } from '../core/workflow/record.js';
import type { NewRun, RunStatus, WorkflowRun } from '../core/workflow/run.js';
import type { TriggerChange, TriggerState } from '../core/workflow/triggers.js';
import type { StoreFleet } from './fleet.js';
import type { HooksTx, StoreHooks } from './hooks.js';
import type { IntegrationsTx, StoreIntegrations } from './integrations.js';
import type { MaintenanceTx, StoreMaintenance } from './maintenance.js';
import type { OffersTx, StoreOffers } from './offers.js';
import type { StoreTeams, TeamsTx } from './teams.js';

/**
 * The store contract. Every backend (SQLite, PostgreSQL) implements it and passes the same suite
 * (`tests/store-contract`). A store does atomic conditional writes and decides no policy: the
 * rules live in `core/`, the use cases in `app/`.
 */
export interface Store extends StoreMaintenance, StoreHooks, StoreFleet, StoreOffers, StoreIntegrations, StoreTeams {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store lives (file path or URL without credentials), for messages. */
  readonly location: string;
  /** What keeps the store from working right now (a full disk), or null; cleared once it works again. */
  condition?(): StoreCondition | null;

  /**
   * Runs `fn` as one write transaction: all of its writes land or none do. Transactions are
   * serialised against every other writer of the store (other processes included), so a read
   * inside `fn` followed by a conditional write cannot race.
   *
   * `fn` may run more than once (a backend may retry a transaction that lost a race or shared a
   * failed batch), so it must have no effect outside the transaction other than its result.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  /**
   * Claims up to `limit` ready tasks for a worker in one atomic step (SPEC §4): status `queued`, or
   * `assigned` to this worker; `runAfter` passed; every capability of the task held by the worker;
   * every resource of the task with a free slot (fewer `executing` tasks name it than its capacity),
   * checked and leased together so that concurrent claims, from any process, never exceed it.
   * Sets the lease and the next fencing token and appends a `claimed` event per task.
   * With `taskId`, only that task is a candidate: it is claimed if it is claimable by this worker
   * at this moment (same rules, same lease, token and event), else nothing is written and the
   * answer is empty; of concurrent claims of one task, at most one gets it.
   */
  claim(request: ClaimRequest): Promise<Task[]>;

  /**
   * The pauses in force (`core/queues.ts`): a claim takes no task of a paused queue (nor any task
   * while the system is paused), checked in the transaction or statement that leases.
   */
  listPauses(): Promise<QueuePause[]>;
  /**
   * Per queue that holds open tasks: ready tasks, leased tasks executing, open tasks not yet
   * executing, when the longest-waiting ready task became ready, and the SLA breaches among the
   * ready ones (as `readyCounts`).
   */
  queueCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<QueueCounts[]>;

  /**
   * Changes one task by a rule decided on the row as it is when written, for changes confined to
   * that row and its event (a worker's heartbeat, progress, completion). In one transaction the
   * store locks task `request.id`, calls `decide`, and writes the patch it returns (bumping
   * `version`, `updatedAt` = the store clock) with its event; it resolves to the task as written.
   * `decide` throws to refuse (nothing written, the error passed on) or returns null to write
   * nothing (resolves to null), e.g. when the change must reach other rows through `transaction`.
   * The store may also resolve null without writing when it could not apply the change alone;
   * callers then take the `transaction` path.
   *
   * Calls made close together may share one transaction (PostgreSQL groups those of one moment
   * into one statement to lock and one to write), yet each succeeds or fails on its own. `decide`
   * may run more than once (a transaction retried after a deadlock) and must have no side effects.
   */
  changeTask(request: TaskChangeRequest): Promise<Task | null>;

  /**
   * Reads outside a transaction see the latest committed state, never the writes of a
   * transaction still running. A transaction function reads through its `tx` (a SQLite store
   * in memory would make a read of its own wait for that very transaction).
   */
  getTask(id: number): Promise<Task | undefined>;
  /** The tasks of `ids` that exist, in id order, read in one query however many there are. */
  getTasks(ids: readonly number[]): Promise<Task[]>;
  listTasks(query: TaskQuery): Promise<Task[]>;
  countTasks(query: TaskQuery): Promise<number>;
  /** Whether the query selects any task: stops at the first, however many match (an idle claimer's check). */
  hasTasks(query: TaskQuery): Promise<boolean>;
  /** Tasks per status, of those a query selects (every task without one). */
  countByStatus(query?: TaskQuery): Promise<Record<TaskStatus, number>>;
  /** Completed tasks whose `completedAt` ≥ `sinceMs`. */
  countCompletedSince(sinceMs: number): Promise<number>;
  /**
   * Tasks claimable at `nowMs`, per priority, and how many of them became ready before
   * `breachBefore[priority]` (ms; null: no target) — the SLA breaches — counted in the database.
   */
  readyCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<ReadyCounts>;
  /** Ids of executing tasks whose lease expired before `nowMs`. */
  expiredLeases(nowMs: number, limit: number): Promise<number[]>;
  /**
   * Ids of recurring-task templates (`blocked`, `recurrence.templateId` null) whose newest
   * occurrence's fire time (`recurrence.fireAt`) is at or before `nowMs`: the next one is due.
   */
  dueRecurrences(nowMs: number, limit: number): Promise<number[]>;
  /**
   * What a sweep would find to do, asked in one statement: each flag is true when the sweep's
   * own read of that kind could return something (a superset; never false when it would).
   */
  sweepDue(): Promise<SweepDue>;

  /**
   * Every resource known (given a capacity) or named by an open task, by name, with the executing
   * tasks that hold it and how many ready tasks name it; a resource without a row has capacity 1.
   */
  listResources(): Promise<Resource[]>;

  getWorker(id: string): Promise<Worker | undefined>;
  listWorkers(): Promise<Worker[]>;
  /** Leases currently held, per worker. */
  leasesByWorker(): Promise<Map<string, number[]>>;

  events(query: EventQuery): Promise<TaskEvent[]>;

  /** The store's clock: the one clock for leases and `runAfter`. */
  now(): Promise<number>;

  /**
   * Optional: sleeps until work may be ready instead of polling — resolves when a task becomes
   * ready anywhere (another process included), a delayed task or a lease falls due, `timeoutMs`
   * passes or `signal` aborts; never rejects. A wake-up is a hint, not a promise of a task, so
   * callers claim again after it. Call it before the claim it follows up, so that a task made
   * ready while that claim runs still wakes the caller. Stores without it are polled.
   */
  waitForWork?(signal: AbortSignal | undefined, timeoutMs: number): Promise<void>;

  /**
   * Optional: calls `listener` with the newest event id whenever any process appends events
   * (the live feed of every server replica); returns the unsubscribe function.
   */
  onEvents?(listener: (lastEventId: number) => void): () => void;

  /** Full contents for export. */
  dump(): Promise<StoreDump>;
  /** API keys of the HTTP server, revoked ones included; only hashes are stored. Not exported. */
  listKeys(): Promise<ApiKeyRecord[]>;
  insertKey(key: ApiKeyRecord): Promise<void>;
  /** Marks a key revoked at `atMs`; false when no active key has this id. */
  revokeKey(id: string, atMs: number): Promise<boolean>;

  /** The latest version of every registered workflow definition, by name. */
  listWorkflows(): Promise<WorkflowRecord[]>;
  /** One version of a workflow definition (the latest without `version`), or undefined. */
  getWorkflow(name: string, version?: number): Promise<WorkflowRecord | undefined>;
  /** One run of a workflow, or undefined. */
  getRun(id: number): Promise<WorkflowRun | undefined>;
  /** The state of every workflow's triggers (`core/workflow/triggers.ts`). */
  listTriggers(): Promise<TriggerState[]>;
  /** The id of the newest event (0 when there is none). */
  lastEventId(): Promise<number>;
  /** The schema migrations applied to this store, oldest first. */
  migrations(): Promise<AppliedMigration[]>;
  /** Runs, newest first; with `dueBy`, the running ones a sweep must look at by then, most overdue first. */
  listRuns(query: RunQuery): Promise<WorkflowRun[]>;
  /** Running runs with a step task that ended after the run was last written (an advance was lost). */
  runsBehind(limit: number): Promise<number[]>;
  close(): Promise<void>;
}

export type { ApiKeyRole } from '../core/types.js';

/** A key as stored: the public record and the sha256 (hex) of the secret. */
export interface ApiKeyRecord extends ApiKey {
  hash: string;
}

/** A key's capabilities column (a JSON list); a name this Baton does not know grants nothing. */
export function keyCapabilities(column: unknown): KeyCapability[] {
  let names: unknown;
  try {
    names = JSON.parse(String(column ?? '[]'));
  } catch {
    return [];
  }
  return Array.isArray(names) ? KEY_CAPABILITIES.filter((c) => names.includes(c)) : [];
}

export interface StoreTx extends MaintenanceTx, HooksTx, OffersTx, IntegrationsTx, TeamsTx {
  /** The store's clock, read once per transaction. */
  readonly now: number;
  getTask(id: number): Promise<Task | undefined>;
  getTasks(ids: readonly number[]): Promise<Task[]>;
  /**
   * Open tasks of `queue` not yet executing (what its `maxSize` counts), read so that two
   * transactions adding to one queue take turns (PostgreSQL: a transaction-scoped advisory lock).
   */
  queueWaiting(queue: string): Promise<number>;
  /** Pauses the claims of `queue` (`SYSTEM_QUEUE`: of all), or lifts its pause (`pause` null); false when nothing changed. */
  setPause(queue: string, pause: { atMs: number; by: string | null } | null): Promise<boolean>;
  /** Inserts a task (its `dependsOn` edges and their `conditions` too) and returns it with its new id. */
  insertTask(task: NewTask): Promise<Task>;
  /**
   * Applies `patch` if the row still has `task.version` (the version read in this transaction);
   * bumps `version` and `updatedAt`. Returns the updated task, or undefined when the guard did
   * not hold (nothing written).
   */
  updateTask(task: Task, patch: TaskPatch): Promise<Task | undefined>;
  /**
   * Gives each named resource that has no capacity yet the one stated (`capacity`, or 1), and
   * returns the capacity of each as it stands. Concurrent first namings agree on one.
   */
  ensureResources(specs: readonly { name: string; capacity: number | null }[]): Promise<Map<string, number>>;
  /** Sets the capacity of a resource (known or not); returns the one it had, or null. */
  setResourceCapacity(name: string, capacity: number): Promise<number | null>;
  /**
   * Adds the edges task → `dependsOn` (an edge already there is kept). Each of `conditions` sets
   * the condition of its edge, adding the edge when missing.
   */
  addDependencies(taskId: number, dependsOn: readonly number[], conditions?: readonly DependencyCondition[]): Promise<void>;
  removeDependency(taskId: number, dependsOn: number): Promise<boolean>;
  /**
   * Every edge (task → dependency) reachable from `ids` by following dependencies. It serves the
   * cycle check of added dependencies, so it sees every edge committed before it: where writers
   * run at once, such reads are serialised until the end of their transactions.
   */
  dependencyClosure(ids: readonly number[]): Promise<Edge[]>;
  /** Tasks that depend on `id`. */
  dependents(id: number): Promise<Task[]>;
  /**
   * Appends to the event log. Nothing in the transaction waits for it (PostgreSQL sends it along
   * with the next statement or the COMMIT); a failure fails the transaction all the same.
   */
  appendEvent(event: NewEvent): Promise<void>;
  upsertWorker(worker: WorkerUpsert): Promise<{ worker: Worker; created: boolean }>;
  /**
   * Reads a worker and holds its row until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
   * writers already take turns), so that concurrent outcomes of one worker update its breaker in turn.
   */
  lockWorker(id: string): Promise<Worker | undefined>;
  /**
   * What hybrid assignment weighs when a critical task becomes ready, read in this transaction:
   * every worker, how many tasks each holds (leases, and reservations not yet claimed), and the
   * `historyLimit` most recently created finished (completed or failed) tasks.
   */
  pushView(historyLimit: number): Promise<PushView>;
  /**
   * The latest version of workflow `name`, read so that no other transaction registers a version
   * of that name before this one ends (a registration reads it, then inserts the next version).
   */
  latestWorkflow(name: string): Promise<WorkflowRecord | undefined>;
  /** Inserts one version of a workflow definition; `(name, version)` is new. */
  insertWorkflow(record: WorkflowRecord): Promise<void>;
  /** Replaces the trigger states of workflow `name` (a new version registered). */
  setTriggers(name: string, states: readonly TriggerState[]): Promise<void>;
  /** Compare and set of one trigger's state: false (nothing written) when it is no longer as `prev`. */
  updateTrigger(prev: TriggerState, next: TriggerChange): Promise<boolean>;
  /** Inserts a run (revision 1) and returns it with its new id. */
  insertRun(run: NewRun): Promise<WorkflowRun>;
  /**
   * Reads a run and holds its lock until the transaction ends (PostgreSQL: `FOR UPDATE` of its
   * row; SQLite's writers already take turns), so two processes never advance one run at once.
   */
  lockRun(id: number): Promise<WorkflowRun | undefined>;
  /** Writes `patch` if the run still has `run.revision`; bumps it. Undefined when the guard failed. */
  updateRun(run: WorkflowRun, patch: RunPatch): Promise<WorkflowRun | undefined>;
  /** Bulk load for import: rows keep their ids. The store must be empty. */
  load(dump: StoreDump): Promise<void>;
  isEmpty(): Promise<boolean>;
}

export type NewTask = Omit<Task, 'id' | 'version' | 'updatedAt'>;

/** See `StoreTx.pushView`. */
export interface PushView {
  workers: Worker[];
  /** Tasks held per worker id: leases, and tasks `assigned` (reserved) to it. */
  held: Map<string, number>;
  finished: Task[];
}

export interface WorkerUpsert {
  id: string;
  name?: string | null | undefined;
  capabilities?: string[] | undefined;
  host?: string | null | undefined;
  pid?: number | null | undefined;
  concurrency?: number | undefined;
  version?: string | null | undefined;
  state?: Worker['state'] | undefined;
  usage?: Worker['usage'] | undefined;
  breaker?: Worker['breaker'] | undefined;
}

export interface ClaimRequest {
  workerId: string;
  capabilities: readonly string[];
  leaseMs: number;
  limit: number;
  /** Claim this task only (see `Store.claim`). */
  taskId?: number | undefined;
  /** Only tasks of these queues (a worker serving some queues); every queue when absent. */
  queues?: readonly string[] | undefined;
  /** Caps on leased tasks executing (the store's and its queues'), checked atomically with the lease. */
  caps?: ClaimCaps | undefined;
  /** Only tasks that have a shell command. */
  withCommand?: boolean | undefined;
  /** Only these priorities. */
  priority?: readonly Priority[] | undefined;
  /** Only tasks that need at least one of these capabilities. */
  capability?: readonly string[] | undefined;
  /** Only tasks whose title or description has a word starting with each of these (`core/search.ts`). */
  words?: readonly string[] | undefined;
  /** Leaves out completed, cancelled and skipped tasks. */
  open?: boolean | undefined;
  /** The order (see `taskOrder`); id order unless `ready`, which is in claim order. */
  sort?: TaskSort | undefined;
}

/** What `decide` of a `TaskChangeRequest` is told besides the task. */
export interface TaskChangeContext {
  /** The store clock of the transaction. */
  now: number;
  /** Whether any task depends on this one, as of the lock. */
  hasDependents: boolean;
}

export interface TaskChangeRequest {
  id: number;
  /** Gets the locked task (undefined when it does not exist); see `Store.changeTask`. */
  decide(task: Task | undefined, context: TaskChangeContext): { patch: TaskPatch; event: NewEvent } | null;
}

export interface TaskQuery {
  status?: readonly TaskStatus[] | undefined;
  assignee?: string | undefined;
  tag?: string | undefined;
  parentId?: number | undefined;
  /** Only these tasks. */
  ids?: readonly number[] | undefined;
  /** Only subtasks of these parents. */
  parentIds?: readonly number[] | undefined;
  /** Held under a lease (true), or not (false: with `executing`, a parent following its subtasks). */
  leased?: boolean | undefined;
  /** Claimable now: queued or assigned, `runAfter` passed. Sorted in claim order. */
  ready?: boolean | undefined;
  /** Only tasks that have a shell command. */
  withCommand?: boolean | undefined;
  /** Only these priorities. */
  priority?: readonly Priority[] | undefined;
  /** Only tasks that need at least one of these capabilities. */
  capability?: readonly string[] | undefined;
  /** Only tasks whose title or description has a word starting with each of these (`core/search.ts`). */
  words?: readonly string[] | undefined;
  /** Leaves out completed, cancelled and skipped tasks. */
  open?: boolean | undefined;
  /** Only tasks that have subtasks (true), or only tasks that have none (false). */
  hasSubtasks?: boolean | undefined;
  /** The order (see `taskOrder`); id order unless `ready`, which is in claim order. */
  sort?: TaskSort | undefined;
  /** Only tasks of a greater id (a keyset cursor; listings not in claim order are in id order). */
  afterId?: number | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface RunQuery {
  workflow?: string | undefined;
  status?: RunStatus | undefined;
  /** Running runs whose `wakeAtOf` is at or before this time (ms); other filters are ignored. */
  dueBy?: number | undefined;
  limit?: number | undefined;
}

export type RunPatch = Partial<Pick<WorkflowRun, 'status' | 'parentTaskId' | 'steps' | 'error' | 'finishedAt'>>;

export interface EventQuery {
  taskId?: number | undefined;
  /** Only events of these tasks. */
  taskIds?: readonly number[] | undefined;
  /** With `taskIds`: the newest this many of each task. */
  perTask?: number | undefined;
  afterId?: number | undefined;
  limit?: number | undefined;
}

/** The store's answer to "is anything due?" for one sweep (`Store.sweepDue`). */
export interface SweepDue {
  /** The store's clock when it looked, in ms. */
  nowMs: number;
  /** An executing task's lease ran out. */
  leases: boolean;
  /** A waiting (`assigned`) task is reserved for a worker. */
  reserved: boolean;
  /** A push or an auction is open. */
  offers: boolean;
  /** A recurring task's next occurrence is due. */
  recurrences: boolean;
  /** Some workflow has a trigger. */
  triggers: boolean;
  /** A running workflow run waits on time or events that are due. */
  runs: boolean;
}

export interface ReadyCounts {
  byPriority: Record<Priority, number>;
  breaches: Record<Priority, number>;
}

/** The ORDER BY of a task list (the same SQL on both stores). */
export function taskOrder(query: Pick<TaskQuery, 'ready' | 'sort'>): string {
  const sort = query.sort ?? (query.ready ? 'claim' : 'created');
  if (sort === 'claim') return 't.claim_order, t.cap_count DESC, t.id';
  if (sort === 'updated') return 't.updated_at DESC, t.id DESC';
  if (sort === 'priority') return `CASE t.priority ${PRIORITIES.map((p, i) => `WHEN '${p}' THEN ${i}`).join(' ')} END, t.id`;
  return 't.id';
}

/** The store's side of export and import. */
export type StoreDump = BatonDump;

/** Fills in the priorities a GROUP BY left out. */
export function readyCountsOf(rows: readonly { priority: Priority; n: number; breaches: number }[]): ReadyCounts {
  const zero = () => Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  const counts: ReadyCounts = { byPriority: zero(), breaches: zero() };
  for (const r of rows) {
    counts.byPriority[r.priority] = Number(r.n);
    counts.breaches[r.priority] = Number(r.breaches ?? 0);
  }
  return counts;
}

/**
 * A store whose schema is past every migration this Baton knows was written by a newer Baton:
 * opening it could misread or damage columns this version has never heard of.
 */
export function newerStoreError(where: string, storeVersion: number, knownVersion: number): BatonError {
  return new BatonError(
    'not_a_store',
    `${where} was written by a newer Baton (schema version ${storeVersion}; this Baton knows up to version ${knownVersion}); upgrade Baton to open it`,
    { storeVersion, knownVersion },
  );
}

export interface StoreCondition {
  code: 'store_full' | 'store_unavailable';
  message: string;
  /** Since when, ms since the epoch. */
  since: number;
}

/** An `api_keys` row as either store returns it (times in ms since the epoch). */
export function keyRecordOf(r: Record<string, unknown>): ApiKeyRecord {
  const time = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
  return {
    id: String(r.id),
    hash: String(r.hash),
    role: r.role as ApiKeyRecord['role'],
    workerId: (r.worker_id as string | null) ?? null,
    name: (r.name as string | null) ?? null,
    capabilities: keyCapabilities(r.capabilities),
    createdAt: time(r.created_at) as string,
    revokedAt: time(r.revoked_at),
  };
}

/** One schema migration a store has applied. */
export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: string;
}
