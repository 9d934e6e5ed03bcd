import { type Clock, systemClock } from '../../core/clock.js';
import { hasCaps } from '../../core/queues.js';
import type { Resource } from '../../core/resources.js';
import type { Task, TaskStatus, Worker } from '../../core/types.js';
import { PRIORITIES, type Priority, TASK_STATUSES } from '../../core/types.js';
import type { WorkflowRecord } from '../../core/workflow/record.js';
import { runOf, type WorkflowRun } from '../../core/workflow/run.js';
import { type TriggerState, triggerOf } from '../../core/workflow/triggers.js';
import type { PoolRecord } from '../fleet.js';
import type { StoreSnapshot } from '../maintenance.js';
import { type OfferStatements, offerReads, offerStatements } from '../offers.js';
import type {
  ApiKeyRecord,
  ClaimRequest,
  EventQuery,
  Store,
  StoreDump,
  StoreTx,
  TaskChangeRequest,
  TaskQuery,
} from '../store.js';
import {
  type AppliedMigration,
  keyRecordOf,
  type ReadyCounts,
  type RunQuery,
  readyCountsOf,
  type SweepDue,
  taskOrder,
} from '../store.js';
import { teamsOf } from '../teams.js';
import { Availability } from './availability.js';
import { dumpStore, pgSnapshot } from './backup.js';
import {
  type ConnectionSettings,
  connect,
  connectionLost,
  notSent,
  type PostgresOptions,
  parseSettings,
  type Queryable,
  type Sql,
  toStoreError,
} from './connection.js';
import { capabilityCountsOfRows, fleetStatements, poolsOf } from './fleet.js';
import { type HookStatements, hookReads, hookStatements } from './hooks.js';
import { type IntegrationStatements, integrationReads, integrationStatements } from './integrations.js';
import { migrate } from './migrate.js';
import { PostgresTx } from './postgres-tx.js';
import { claimQueueParams, pausesOf, queueCountsOf, queueStatements } from './queues.js';
import { inTransaction, poolMoved } from './reservation.js';
import { claimRows, listResources } from './resources.js';
import { candidatesOf, dutiesOf, retentionStatements, withTaskStatus } from './retention.js';
import { type Row, rowToEvent, rowToTask, rowToWorker } from './rows.js';
import { listParams, runStatements } from './runs.js';
import { ident, type Statements, statements } from './sql.js';
import { taskWhere } from './task-query.js';
import { TaskWrites } from './task-writes.js';
import { teamStatements } from './teams.js';
import { triggerStatements } from './triggers.js';
import { WakeUps } from './wake-ups.js';
import { recordsOf, workflowStatements } from './workflows.js';

/** Transactions that lose a deadlock or serialisation race are run again, this many times. */
const TRANSACTION_ATTEMPTS = 10;

export interface PostgresStoreOptions extends PostgresOptions {
  /** Times local waits: reconnect deadlines, backoffs, wake-ups (default: the system clock). */
  clock?: Clock | undefined;
}

/** Opens (creating and migrating the schema when needed) a PostgreSQL store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const settings = parseSettings(options);
  const sql = connect(settings);
  try {
    await migrate(sql, settings.schema);
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw toStoreError(err, settings.location);
  }
  return new PostgresStore(sql, settings, options.clock);
}

type Params = readonly unknown[];

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly st: Statements;
  readonly wf: ReturnType<typeof workflowStatements>;
  readonly runs: ReturnType<typeof runStatements>;
  readonly triggers: ReturnType<typeof triggerStatements>;
  readonly ret: ReturnType<typeof retentionStatements>;
  readonly qs: ReturnType<typeof queueStatements>;
  readonly hooks: HookStatements;
  readonly offers: OfferStatements;
  readonly integrations: IntegrationStatements;
  readonly fleet: ReturnType<typeof fleetStatements>;
  readonly teams: ReturnType<typeof teamStatements>;
  private readonly prepare: boolean;
  /** Whether the database answers; the retry rules of every operation. */
  readonly availability: Availability;
  private readonly wakeUps: WakeUps;
  private readonly writes: TaskWrites;
  private pool: Sql;
  private closing = false;

  constructor(
    sql: Sql,
    readonly settings: ConnectionSettings,
    /**
     * For local waits only. Lease, `runAfter` and update times come from the database's now():
     * several servers share one database, and their machines' clocks may disagree.
     */
    readonly clock: Clock = systemClock,
  ) {
    this.pool = sql;
    this.location = settings.location;
    this.st = statements(settings.schema);
    this.wf = workflowStatements(settings.schema);
    this.runs = runStatements(settings.schema);
    this.triggers = triggerStatements(settings.schema);
    this.ret = retentionStatements(settings.schema, this.st.selectTask);
    this.qs = queueStatements(settings.schema);
    this.hooks = hookStatements(settings.schema);
    this.offers = offerStatements((name) => `${ident(settings.schema)}.${name}`);
    this.integrations = integrationStatements(settings.schema);
    this.fleet = fleetStatements(settings.schema);
    this.teams = teamStatements(settings.schema);
    this.prepare = settings.pooler !== 'transaction';
    this.availability = new Availability({
      probe: () => this.reconnect(),
      location: this.location,
      windowMs: settings.reconnectMs,
      clock,
    });
    this.wakeUps = new WakeUps(
      sql,
      settings.schema,
      { nextDueInMs: (sinceMs) => this.nextDueInMs(sinceMs) },
      this.prepare,
      clock,
    );
    this.writes = new TaskWrites(this);
  }

  /** The connection pool: a new one after each outage (see `reconnect`). */
  get sql(): Sql {
    return this.pool;
  }

  /**
   * After an outage: a new pool replaces the old one once it answers. The driver keeps state of a
   * connection across its reconnections — an error the server sent as it shut down, a statement
   * sent as the socket failed — and hands it to whatever that connection runs next, or strands a
   * reservation on it (porsager/postgres#1195). A new pool carries none of it; the old one ends
   * once its calls in flight are done (or in 5 s).
   */
  private async reconnect(): Promise<void> {
    const fresh = connect(this.settings);
    try {
      await this.exec(fresh, 'SELECT 1');
    } catch (err) {
      await fresh.end({ timeout: 0 }).catch(() => {});
      throw err;
    }
    if (this.closing) {
      await fresh.end({ timeout: 0 }).catch(() => {});
      return;
    }
    const old = this.pool;
    this.pool = fresh;
    this.wakeUps.reconnected(fresh);
    void old.end({ timeout: 5 }).catch(() => {});
  }

  /** One statement on any pooled connection. */
  exec(on: Queryable, text: string, params: Params = []): Promise<Row[]> {
    const rows = on.unsafe(text, params as never[], { prepare: this.prepare }) as unknown as Promise<Row[]>;
    const pool = this.sql;
    if (on !== pool) return rows;
    // Its connection is free again: transactions waiting for one see the pool move (reservation.ts).
    return rows.then((answered) => {
      poolMoved(pool);
      return answered;
    });
  }

  /** A read: repeated across a lost connection until the reconnect window closes. */
  private read(text: string, params: Params = []): Promise<Row[]> {
    return this.retrying(() => this.exec(this.sql, text, params), connectionLost);
  }

  /**
   * Runs `op`; a lost connection is tried again while `retryable` says it is safe, unless the
   * database is down: then it fails at once (see availability.ts).
   */
  private retrying<T>(op: () => Promise<T>, retryable: (err: unknown) => boolean): Promise<T> {
    return this.availability.run(op, { repeatable: retryable });
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // Once COMMIT is on its way the outcome is unknown: running `fn` again could apply it twice.
    const state = { committing: false };
    return this.availability.run(
      () => {
        let tx: PostgresTx | undefined;
        return inTransaction(
          this.sql,
          this.st.begin,
          state,
          (conn, begun) => {
            tx = new PostgresTx(this, conn, Number(begun[1]?.[0]?.now_ms));
            return fn(tx);
          },
          () => tx?.unanswered() ?? Promise.resolve(),
        );
      },
      { repeatable: (err) => !state.committing || notSent(err), races: TRANSACTION_ATTEMPTS },
    );
  }

  async claim(request: ClaimRequest): Promise<Task[]> {
    const params = [request.workerId, [...request.capabilities], request.limit, request.leaseMs, request.withCommand === true];
    const queues = claimQueueParams(request);
    const [statement, args] =
      request.taskId === undefined
        ? [this.st.claim, [...params, ...queues]]
        : [this.st.claimById, [...params.slice(0, 2), 1, ...params.slice(3), request.taskId, ...queues]];
    // A claim whose connection broke mid-statement may have committed; repeating it could lease
    // more than asked. Such a lease simply expires, so only never-sent statements are repeated.
    const rows = await this.retrying(() => claimRows(this, statement, args, hasCaps(request.caps)), notSent);
    return rows.map(rowToTask);
  }

  listResources(): Promise<Resource[]> {
    return this.retrying(() => listResources(this), connectionLost);
  }

  // ── pauses and queues (queues.ts) ──────────────
  listPauses = async () => pausesOf(await this.read(this.qs.pauses));
  queueCounts = async (nowMs: number, breachBefore: Record<Priority, number | null>) =>
    queueCountsOf(await this.read(this.qs.counts, [nowMs, ...PRIORITIES.map((p) => breachBefore[p] ?? -1)]));

  /** Changes made close together are grouped into one transaction: see task-writes.ts. */
  changeTask(request: TaskChangeRequest): Promise<Task | null> {
    return this.writes.change(request);
  }

  async getTask(id: number) {
    const [row] = await this.read(this.st.taskById, [id]);
    return row ? rowToTask(row) : undefined;
  }

  async getTasks(ids: readonly number[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    return (await this.read(this.st.tasksByIds, [[...ids]])).map(rowToTask);
  }

  async listTasks(query: TaskQuery) {
    const { where, params } = taskWhere(query, this.st.tasks);
    const order = taskOrder(query);
    params.push(query.limit ?? null, query.offset ?? 0);
    const n = params.length;
    const rows = await this.read(`${this.st.selectTask} ${where} ORDER BY ${order} LIMIT $${n - 1} OFFSET $${n}`, params);
    return rows.map(rowToTask);
  }

  async countTasks(query: TaskQuery): Promise<number> {
    const { where, params } = taskWhere(query, this.st.tasks);
    const [row] = await this.read(`SELECT count(*)::int AS n FROM ${this.st.tasks} t ${where}`, params);
    return Number(row?.n ?? 0);
  }

  async hasTasks(query: TaskQuery): Promise<boolean> {
    const { where, params } = taskWhere(query, this.st.tasks);
    const [row] = await this.read(`SELECT EXISTS (SELECT 1 FROM ${this.st.tasks} t ${where}) AS any`, params);
    return row?.any === true;
  }

  async countByStatus(query: TaskQuery = {}): Promise<Record<TaskStatus, number>> {
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const { where, params } = taskWhere(query, this.st.tasks);
    const sql = `SELECT t.status, count(*)::int AS n FROM ${this.st.tasks} t ${where} GROUP BY t.status`;
    for (const r of await this.read(sql, params)) counts[r.status as TaskStatus] = Number(r.n);
    return counts;
  }

  async readyCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<ReadyCounts> {
    const cuts = PRIORITIES.map((p) => breachBefore[p] ?? -1);
    const rows = await this.read(this.st.readyCounts, [nowMs, ...cuts]);
    return readyCountsOf(rows.map((r) => ({ priority: r.priority as Priority, n: Number(r.n), breaches: Number(r.breaches) })));
  }

  async countCompletedSince(sinceMs: number): Promise<number> {
    const [row] = await this.read(this.st.countCompletedSince, [sinceMs]);
    return Number(row?.n ?? 0);
  }

  async expiredLeases(nowMs: number, limit: number): Promise<number[]> {
    return (await this.read(this.st.expiredLeases, [nowMs, limit])).map((r) => Number(r.id));
  }

  async sweepDue(): Promise<SweepDue> {
    const [r] = await this.read(this.st.sweepDue);
    return {
      nowMs: Number(r?.now_ms),
      leases: r?.leases === true,
      reserved: r?.reserved === true,
      offers: r?.offers === true,
      recurrences: r?.recurrences === true,
      triggers: r?.triggers === true,
      runs: r?.runs === true,
    };
  }

  async dueRecurrences(nowMs: number, limit: number): Promise<number[]> {
    return (await this.read(this.st.dueRecurrences, [new Date(nowMs).toISOString(), limit])).map((r) => Number(r.id));
  }

  async getWorker(id: string): Promise<Worker | undefined> {
    const [row] = await this.read(this.st.workerById, [id]);
    return row ? rowToWorker(row) : undefined;
  }

  async listWorkers(): Promise<Worker[]> {
    return (await this.read(this.st.allWorkers)).map(rowToWorker);
  }

  async leasesByWorker(): Promise<Map<string, number[]>> {
    const map = new Map<string, number[]>();
    for (const r of await this.read(this.st.leasesByWorker)) {
      const owner = String(r.owner);
      const list = map.get(owner) ?? [];
      list.push(Number(r.id));
      map.set(owner, list);
    }
    return map;
  }

  async events(query: EventQuery) {
    const after = query.afterId ?? 0;
    const limit = query.limit ?? null;
    const rows =
      query.taskIds !== undefined
        ? await this.read(this.st.eventsOfTasks, [[...query.taskIds], after, query.perTask ?? null, limit])
        : query.taskId !== undefined
          ? await this.read(this.st.eventsOfTask, [query.taskId, after, limit])
          : await this.read(this.st.eventsAfter, [after, limit]);
    return rows.map(rowToEvent);
  }

  async now(): Promise<number> {
    const [row] = await this.read(this.st.nowMs);
    return Number(row?.now_ms);
  }

  /**
   * Resolves when work may be ready: a task became ready anywhere (NOTIFY), a delayed task or a
   * lease falls due, `timeoutMs` passed or `signal` aborted. Never rejects.
   */
  waitForWork(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    return this.wakeUps.wait(signal, timeoutMs);
  }

  /** Calls `listener` with the newest event id whenever any process appends events. */
  onEvents(listener: (lastEventId: number) => void): () => void {
    return this.wakeUps.onEvents(listener);
  }

  private async nextDueInMs(sinceMs: number): Promise<number | null> {
    const [row] = await this.exec(this.sql, this.st.nextDue, [Math.ceil(sinceMs) + 1_000]);
    if (!row) return null;
    const due = [row.run_after, row.lease_expires_at].filter((v) => v !== null && v !== undefined).map(Number);
    return due.length === 0 ? null : Math.min(...due) - Number(row.now_ms);
  }

  async dump(): Promise<StoreDump> {
    // One snapshot for all its tables, so the export is consistent while others write.
    const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    return this.retrying(
      () => inTransaction(this.sql, begin, { committing: false }, (tx) => dumpStore(this, tx)),
      connectionLost,
    );
  }

  // ── fleets (fleet.ts) ─────────────────────────────────────────────────────
  readyByCapabilities = async (nowMs: number) => capabilityCountsOfRows(await this.read(this.fleet.readyByCapabilities, [nowMs]));
  async reportPool(r: PoolRecord): Promise<void> {
    const params = [r.name, r.supervisor, JSON.stringify(r.state), r.updatedAt];
    await this.retrying(() => this.exec(this.sql, this.fleet.reportPool, params), notSent);
  }
  async removePools(supervisor: string): Promise<void> {
    await this.retrying(() => this.exec(this.sql, this.fleet.removePools, [supervisor]), notSent);
  }
  listPools = async () => poolsOf(await this.read(this.fleet.listPools));

  // ── teams (teams.ts) ──────────────────────────────────────────────────────
  listTeams = async () =>
    teamsOf((await this.read(this.teams.listTeams)) as never, (await this.read(this.teams.listMembers)) as never);

  // ── backups, retention and duties (backup.ts, retention.ts) ──────────────
  snapshot = <T>(fn: (s: StoreSnapshot) => Promise<T>): Promise<T> => pgSnapshot(this, fn);
  async claimDuty(duty: string, period: number, holder: string, at: number): Promise<boolean> {
    return (await this.retrying(() => this.exec(this.sql, this.ret.claimDuty, [duty, period, holder, at]), notSent)).length === 1;
  }
  async recordDuty(duty: string, outcome: Record<string, unknown>): Promise<void> {
    await this.retrying(() => this.exec(this.sql, this.ret.recordDuty, [duty, JSON.stringify(outcome)]), notSent);
  }
  duties = async () => dutiesOf(await this.read(this.ret.duties));
  retentionCandidates = async (q: { before: number; belowId: number; limit: number }) =>
    candidatesOf(await this.read(this.ret.candidates, [q.belowId, q.before, q.limit]));
  eventsOfTasks = async (ids: readonly number[]) => (await this.read(this.ret.eventsOfTasks, [[...ids]])).map(rowToEvent);
  eventsWithTaskStatus = async (after: number, limit: number) =>
    withTaskStatus(await this.read(this.ret.eventsWithStatus, [after, limit]));

  // ── push offers, auctions and bids (offers.ts) ──
  private get offerReads() {
    return offerReads(this.offers, (text, params) => this.read(text, params as Params));
  }
  openOffers = (limit: number) => this.offerReads.openOffers(limit);
  offersOfTask = (taskId: number) => this.offerReads.offersOfTask(taskId);
  bidsOfTask = (taskId: number) => this.offerReads.bidsOfTask(taskId);

  // ── webhooks and alerts (hooks.ts) ──
  private get integrationReads() {
    return integrationReads(this.integrations, (text, params) => this.read(text, params));
  }
  githubLinks = (repo?: string) => this.integrationReads.githubLinks(repo);
  githubRepos = () => this.integrationReads.githubRepos();

  private get hookReads() {
    return hookReads(this.hooks, (text, params) => this.read(text, params));
  }
  webhooks = () => this.hookReads.webhooks();
  deliveries = (query: { hookId?: number | undefined; limit: number }) => this.hookReads.deliveries(query);
  alerts = (query: { limit: number; open?: boolean | undefined }) => this.hookReads.alerts(query);

  async listKeys(): Promise<ApiKeyRecord[]> {
    return (await this.read(`SELECT * FROM ${this.keysTable} ORDER BY created_at, id`)).map(keyRecordOf);
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    const text = `INSERT INTO ${this.keysTable} (id, hash, role, worker_id, name, capabilities, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
    const values = [
      key.id,
      key.hash,
      key.role,
      key.workerId,
      key.name,
      JSON.stringify(key.capabilities),
      Date.parse(key.createdAt),
    ];
    await this.retrying(() => this.exec(this.sql, text, values), notSent);
  }

  async revokeKey(id: string, atMs: number): Promise<boolean> {
    const text = `UPDATE ${this.keysTable} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id`;
    return (await this.retrying(() => this.exec(this.sql, text, [atMs, id]), notSent)).length === 1;
  }

  async listWorkflows(): Promise<WorkflowRecord[]> {
    return recordsOf(await this.read(this.wf.list));
  }

  async getWorkflow(name: string, version?: number): Promise<WorkflowRecord | undefined> {
    const rows =
      version === undefined ? await this.read(this.wf.latest, [name]) : await this.read(this.wf.version, [name, version]);
    return recordsOf(rows)[0];
  }

  async getRun(id: number): Promise<WorkflowRun | undefined> {
    const [row] = await this.read(this.runs.get, [id]);
    return row ? runOf(row) : undefined;
  }

  async listTriggers(): Promise<TriggerState[]> {
    return (await this.read(this.triggers.list)).map(triggerOf);
  }

  async migrations(): Promise<AppliedMigration[]> {
    const rows = await this.read(this.st.migrations);
    return rows.map((r) => ({
      version: Number(r.version),
      name: String(r.name),
      appliedAt: new Date(r.applied_at as string).toISOString(),
    }));
  }

  async lastEventId(): Promise<number> {
    const [row] = await this.read(this.triggers.lastEventId);
    return Number(row?.id ?? 0);
  }

  async listRuns(query: RunQuery): Promise<WorkflowRun[]> {
    const rows =
      query.dueBy !== undefined
        ? await this.read(this.runs.due, [query.dueBy, query.limit ?? 100])
        : await this.read(this.runs.list, listParams(query));
    return rows.map(runOf);
  }

  async runsBehind(limit: number): Promise<number[]> {
    return (await this.read(this.runs.behind, [limit])).map((r) => Number(r.id));
  }

  private get keysTable(): string {
    return `${ident(this.settings.schema)}.api_keys`;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.availability.close();
    this.wakeUps.close();
    await this.sql.end({ timeout: 5 });
  }
}
