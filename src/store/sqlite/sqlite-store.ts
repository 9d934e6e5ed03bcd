import type Database from 'better-sqlite3';
import { type Clock, systemClock } from '../../core/clock.js';
import { BatonError } from '../../core/errors.js';
import { claimPatch, diff, TRANSITIONS } from '../../core/lifecycle.js';
import { compareForClaim } from '../../core/ordering.js';
import type { QueueCounts, QueuePause } from '../../core/queues.js';
import type { Resource } from '../../core/resources.js';
import { swarmOf } from '../../core/swarm.js';
import type { Task, TaskEvent, TaskStatus, Worker } from '../../core/types.js';
import { PRIORITIES, type Priority, TASK_STATUSES } from '../../core/types.js';
import type { WorkflowRecord } from '../../core/workflow/record.js';
import type { PoolRecord } from '../fleet.js';
import type { StoreSnapshot } from '../maintenance.js';
import { offerReads, offerStatements, positional } from '../offers.js';
import type {
  ApiKeyRecord,
  ClaimRequest,
  EventQuery,
  Store,
  StoreCondition,
  StoreDump,
  StoreTx,
  TaskChangeRequest,
  TaskQuery,
} from '../store.js';
import { keyRecordOf, type ReadyCounts, type RunQuery, readyCountsOf, type SweepDue } from '../store.js';
import { copyDatabase, dumpStore, sqliteSnapshot } from './backup.js';
import { claimCandidates } from './claim-candidates.js';
import * as fleet from './fleet.js';
import * as hooks from './hooks.js';

const OFFER_READS = offerStatements((name) => name);

import * as integrations from './integrations.js';
import { admit, claimGate, readPauses, readQueueCounts } from './queues.js';
import { readResources } from './resources.js';
import * as retention from './retention.js';
import { type Row, rowToEvent, rowToTask, rowToWorker } from './rows.js';
import * as runs from './runs.js';
import { listSql, SQL, taskWhere } from './sql.js';
import { beginImmediate, type WriterQueue, writerQueue } from './sqlite-lock.js';
import { SqliteTx } from './sqlite-tx.js';
import { fastCount, fastCountByStatus } from './task-counts.js';
import * as teams from './teams.js';
import * as triggers from './triggers.js';
import * as workflows from './workflows.js';

export { openSqliteStore, type SqliteOptions } from './sqlite-open.js';

interface PendingTx {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Transactions sharing one commit at most; bounds how long one commit keeps the others waiting. */
const MAX_BATCH = 256;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly readStatements: Map<string, Database.Statement>;
  private readonly reader: Database.Database;
  /** The source of every time this store records or compares (leases, `runAfter`, updates). */
  private readonly clock: Clock;
  private readonly writer: WriterQueue;
  private readonly pending: PendingTx[] = [];
  private batchScheduled = false;
  /** Settles when the batch holding the write connection ends; null between batches. */
  private openBatch: Promise<void> | null = null;

  /**
   * `reader` is a second connection for reads made outside a transaction. A batch keeps its
   * writes uncommitted on `db` across awaits; in WAL mode another connection sees only what was
   * committed, and reads neither wait for batches nor slow them down. Without one (`:memory:`,
   * which a second connection cannot share), such reads wait for the open batch to end.
   */
  constructor(
    readonly db: Database.Database,
    readonly location: string,
    options: { reader?: Database.Database | undefined; clock?: Clock | undefined } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.writer = writerQueue(location);
    this.reader = options.reader ?? db;
    this.readStatements = this.reader === db ? this.statements : new Map();
  }

  /** Since when writes fail for want of disk space; cleared by the next commit that succeeds. */
  private full: StoreCondition | null = null;

  condition(): StoreCondition | null {
    return this.full;
  }

  /**
   * A full disk (or a store at its size limit) is a coded `store_full`, and the store remembers it
   * until a write succeeds again, so health can say why writes fail.
   */
  private storeError(err: unknown): unknown {
    const code = (err as { code?: unknown }).code;
    if (code !== 'SQLITE_FULL') return err;
    this.full ??= {
      code: 'store_full',
      message: `the disk of ${this.location} is full: nothing can be written until space is freed`,
      since: this.clock.now(),
    };
    return new BatonError('store_full', this.full.message, { location: this.location });
  }

  /** A statement on the write connection, for transactions. */
  stmt(sql: string): Database.Statement {
    return cached(this.statements, this.db, sql);
  }

  /** Runs `fn` over the read connection once it cannot see uncommitted writes. */
  private async read<T>(fn: (stmt: (sql: string) => Database.Statement) => T): Promise<T> {
    if (this.reader === this.db) {
      while (this.openBatch) await this.openBatch;
    }
    return fn((sql) => cached(this.readStatements, this.reader, sql));
  }

  /**
   * Transactions requested while another is running share its commit (group commit), and every
   * caller is answered only after that COMMIT. Under concurrency this divides the cost of a commit —
   * the WAL write, the dominant cost of a small transaction — among all the callers waiting for it.
   *
   * A transaction that fails before writing is simply refused. One that fails after writing rolls
   * the whole batch back; it is refused and the others of the batch run again in the next batch
   * (the contract allows a transaction function to run more than once). Failures after a write are
   * rare — use cases check before they write — so this is cheaper than a savepoint per transaction.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject } as PendingTx);
      if (!this.batchScheduled) this.scheduleBatch();
    });
  }

  private scheduleBatch(): void {
    this.batchScheduled = true;
    const run = () => this.runBatch();
    this.writer.tail = this.writer.tail.then(run, run);
  }

  private async runBatch(): Promise<void> {
    let endBatch = () => {};
    this.openBatch = new Promise<void>((resolve) => {
      endBatch = () => {
        this.openBatch = null;
        resolve();
      };
    });
    try {
      await this.runOpenBatch();
    } finally {
      endBatch();
    }
  }

  private async runOpenBatch(): Promise<void> {
    try {
      beginImmediate(this.db);
    } catch (err) {
      this.batchScheduled = false;
      for (const p of this.pending.splice(0)) p.reject(this.storeError(err));
      return;
    }
    const succeeded: { p: PendingTx; value: unknown }[] = [];
    while (this.pending.length > 0 && succeeded.length < MAX_BATCH) {
      const p = this.pending.shift() as PendingTx;
      const tx = new SqliteTx(this, this.clock.now());
      try {
        succeeded.push({ p, value: await p.fn(tx) });
      } catch (err) {
        p.reject(this.storeError(err));
        if (!tx.wrote && this.db.inTransaction) continue;
        // Its writes cannot be told apart from the others': undo the batch, run the rest again.
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.pending.unshift(...succeeded.map((s) => s.p));
        this.finishBatch();
        return;
      }
    }
    try {
      this.stmt('COMMIT').run();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const s of succeeded) s.p.reject(this.storeError(err));
      this.finishBatch();
      return;
    }
    this.full = null;
    for (const s of succeeded) s.p.resolve(s.value);
    this.finishBatch();
  }

  private finishBatch(): void {
    this.batchScheduled = false;
    if (this.pending.length > 0) this.scheduleBatch();
  }

  claim(request: ClaimRequest): Promise<Task[]> {
    return this.transaction(async (tx) => {
      const now = tx.now;
      const stmt = (sql: string) => this.stmt(sql);
      const gate = claimGate(stmt, request);
      if (!gate) return [];
      const rows = claimCandidates(stmt, request, now, gate.excluded);
      const candidates = rows.map(rowToTask).sort(compareForClaim).slice(0, request.limit);
      const claimed: Task[] = [];
      for (const task of candidates) {
        if (!(TRANSITIONS.claim as readonly TaskStatus[]).includes(task.status)) continue;
        if (!admit(gate, task.queue, claimed.length)) continue;
        // Candidates were read before this claim leased any: one attempt per swarm per worker.
        if (swarmOf(task) !== null && claimed.some((c) => swarmOf(c) === swarmOf(task))) {
          continue;
        }
        // Candidates were read before this claim leased any: a later one may find its resource full.
        if (claimed.length > 0 && task.resources.length > 0 && this.stmt(SQL.fullResources).get(JSON.stringify(task.resources))) {
          continue;
        }
        const patch = claimPatch(task, request.workerId, now, request.leaseMs);
        const updated = await tx.updateTask(task, patch);
        if (!updated) continue;
        await tx.appendEvent({
          taskId: task.id,
          workerId: request.workerId,
          actor: request.workerId,
          type: 'claimed',
          at: new Date(now).toISOString(),
          changes: diff(task, patch),
          data: null,
        });
        claimed.push(updated);
      }
      return claimed;
    });
  }

  /** One transaction per call: concurrent calls already share a commit (see `transaction`). */
  changeTask(request: TaskChangeRequest): Promise<Task | null> {
    return this.transaction(async (tx) => {
      const task = await tx.getTask(request.id);
      const hasDependents = task !== undefined && (await tx.dependents(task.id)).length > 0;
      const decision = request.decide(task, { now: tx.now, hasDependents });
      if (!decision || !task) return null;
      const updated = await tx.updateTask(task, decision.patch);
      if (updated) await tx.appendEvent(decision.event);
      return updated ?? null;
    });
  }

  async getTask(id: number): Promise<Task | undefined> {
    return this.read((stmt) => taskById(stmt, id));
  }

  getTasks(ids: readonly number[]): Promise<Task[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.read((stmt) => (stmt(SQL.tasksByIds).all(JSON.stringify(ids)) as Row[]).map(rowToTask));
  }

  listTasks(query: TaskQuery): Promise<Task[]> {
    const { sql, params } = listSql(query, this.clock.now());
    return this.read((stmt) => (stmt(sql).all(params) as Row[]).map(rowToTask));
  }

  countTasks(query: TaskQuery): Promise<number> {
    const { where, params } = taskWhere(query, this.clock.now());
    return this.read(
      (stmt) => fastCount(stmt, query) ?? Number(stmt(`SELECT count(*) FROM tasks t ${where}`).pluck().get(params)),
    );
  }

  hasTasks(query: TaskQuery): Promise<boolean> {
    const { where, params } = taskWhere(query, this.clock.now());
    return this.read((stmt) => Number(stmt(`SELECT EXISTS (SELECT 1 FROM tasks t ${where})`).pluck().get(params)) === 1);
  }

  countByStatus(query: TaskQuery = {}): Promise<Record<TaskStatus, number>> {
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const { where, params } = taskWhere(query, this.clock.now());
    return this.read((stmt) => {
      const fast = fastCountByStatus(stmt, query);
      if (fast) return fast;
      const rows = stmt(`SELECT t.status, count(*) AS n FROM tasks t ${where} GROUP BY t.status`).all(params);
      for (const r of rows as { status: TaskStatus; n: number }[]) counts[r.status] = r.n;
      return counts;
    });
  }

  readyCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<ReadyCounts> {
    const cut = Object.fromEntries(PRIORITIES.map((p) => [p, breachBefore[p] ?? -1]));
    return this.read((stmt) =>
      readyCountsOf(stmt(SQL.readyCounts).all({ now: nowMs, ...cut }) as { priority: Priority; n: number; breaches: number }[]),
    );
  }

  countCompletedSince(sinceMs: number): Promise<number> {
    return this.read((stmt) => Number(stmt(SQL.countCompletedSince).pluck().get(sinceMs)));
  }

  expiredLeases(nowMs: number, limit: number): Promise<number[]> {
    return this.read((stmt) => stmt(SQL.expiredLeases).pluck().all(nowMs, limit) as number[]);
  }

  sweepDue(): Promise<SweepDue> {
    const nowMs = this.clock.now();
    return this.read((stmt) => {
      const r = stmt(SQL.sweepDue).get(nowMs, new Date(nowMs).toISOString(), nowMs) as Record<string, number>;
      return {
        nowMs,
        leases: r.leases === 1,
        reserved: r.reserved === 1,
        offers: r.offers === 1,
        recurrences: r.recurrences === 1,
        triggers: r.triggers === 1,
        runs: r.runs === 1,
      };
    });
  }

  dueRecurrences(nowMs: number, limit: number): Promise<number[]> {
    return this.read((stmt) => stmt(SQL.dueRecurrences).pluck().all(new Date(nowMs).toISOString(), limit) as number[]);
  }

  getWorker(id: string): Promise<Worker | undefined> {
    return this.read((stmt) => {
      const row = stmt('SELECT * FROM workers WHERE id = ?').get(id) as Row | undefined;
      return row ? rowToWorker(row) : undefined;
    });
  }

  listResources(): Promise<Resource[]> {
    return this.read(readResources);
  }

  listPauses(): Promise<QueuePause[]> {
    return this.read(readPauses);
  }

  queueCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<QueueCounts[]> {
    return this.read((stmt) => readQueueCounts(stmt, nowMs, breachBefore));
  }

  listWorkers(): Promise<Worker[]> {
    return this.read((stmt) => allWorkers(stmt));
  }

  leasesByWorker(): Promise<Map<string, number[]>> {
    return this.read((stmt) => {
      const map = new Map<string, number[]>();
      for (const r of stmt(SQL.leasesByWorker).all() as { owner: string; id: number }[]) {
        const list = map.get(r.owner) ?? [];
        list.push(r.id);
        map.set(r.owner, list);
      }
      return map;
    });
  }

  events(query: EventQuery): Promise<TaskEvent[]> {
    return this.read((stmt) => {
      const after = query.afterId ?? 0;
      const limit = query.limit ?? -1;
      const rows =
        query.taskIds !== undefined
          ? stmt(SQL.eventsOfTasks).all(JSON.stringify(query.taskIds), after, query.perTask ?? Number.MAX_SAFE_INTEGER, limit)
          : query.taskId !== undefined
            ? stmt(SQL.eventsOfTask).all(query.taskId, after, limit)
            : stmt(SQL.eventsAfter).all(after, limit);
      return (rows as Row[]).map(rowToEvent);
    });
  }

  async now(): Promise<number> {
    return this.clock.now();
  }

  dump(): Promise<StoreDump> {
    return this.read((stmt) => dumpStore(stmt, this.reader, this.clock.now()));
  }

  listKeys(): Promise<ApiKeyRecord[]> {
    return this.read((stmt) => (stmt('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[]).map(keyRecordOf));
  }

  insertKey(key: ApiKeyRecord): Promise<void> {
    // Through the writer queue: a bare statement would join whatever batch holds the connection.
    return this.transaction(async () => {
      this.stmt(
        'INSERT INTO api_keys (id, hash, role, worker_id, name, capabilities, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
      ).run(key.id, key.hash, key.role, key.workerId, key.name, JSON.stringify(key.capabilities), Date.parse(key.createdAt));
    });
  }

  revokeKey(id: string, atMs: number): Promise<boolean> {
    return this.transaction(
      async () => this.stmt('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(atMs, id).changes === 1,
    );
  }

  listWorkflows = (): Promise<WorkflowRecord[]> => this.read(workflows.listWorkflows);
  getWorkflow = (name: string, version?: number) => this.read((stmt) => workflows.readWorkflow(stmt, name, version));
  getRun = (id: number) => this.read((stmt) => runs.getRun(stmt, id));
  listTriggers = () => this.read(triggers.listTriggers);
  lastEventId = () => this.read((stmt) => Number(stmt('SELECT coalesce(max(id), 0) FROM events').pluck().get()));
  migrations = () =>
    this.read((stmt) =>
      (
        stmt('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
          version: number;
          name: string;
          applied_at: string;
        }[]
      ).map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at })),
    );
  listRuns = (query: RunQuery) => this.read((stmt) => runs.listRuns(stmt, query));
  runsBehind = (limit: number) => this.read((stmt) => runs.runsBehind(stmt, limit));

  // ── fleets (fleet.ts) ─────────────────────────────────────────────────────
  readyByCapabilities = (nowMs: number) => this.read((stmt) => fleet.readyByCapabilities(stmt, nowMs));
  reportPool = (report: PoolRecord) => this.transaction(async () => fleet.reportPool((sql) => this.stmt(sql), report));
  removePools = (supervisor: string) => this.transaction(async () => fleet.removePools((sql) => this.stmt(sql), supervisor));
  listPools = () => this.read(fleet.listPools);

  // ── teams (teams.ts) ──────────────────────────────────────────────────────
  listTeams = () => this.read(teams.listTeams);

  // ── backups, retention and duties (backup.ts, retention.ts) ──────────────
  snapshot = <T>(fn: (s: StoreSnapshot) => Promise<T>) => sqliteSnapshot(this.location, this.clock.now(), fn);
  copyTo = (path: string) => copyDatabase(this.location, path);
  claimDuty = (duty: string, period: number, holder: string, at: number) =>
    this.transaction(async () => retention.claimDuty((sql) => this.stmt(sql), duty, period, holder, at));
  recordDuty = (duty: string, outcome: Record<string, unknown>) =>
    this.transaction(async () => retention.recordDuty((sql) => this.stmt(sql), duty, outcome));
  duties = () => this.read(retention.duties);
  // ── push offers, auctions and bids (offers.ts) ──
  private readonly offerReads = offerReads(OFFER_READS, (sql, params) =>
    this.read((stmt) => {
      const { sql: text, values } = positional(sql, params);
      return stmt(text).all(...values) as Record<string, unknown>[];
    }),
  );
  openOffers = (limit: number) => this.offerReads.openOffers(limit);
  offersOfTask = (taskId: number) => this.offerReads.offersOfTask(taskId);
  bidsOfTask = (taskId: number) => this.offerReads.bidsOfTask(taskId);
  // ── inbound deliveries and GitHub links (integrations.ts) ──
  githubLinks = (repo?: string) => this.read((stmt) => integrations.githubLinks(stmt, repo));
  githubRepos = () => this.read(integrations.githubRepos);

  // ── webhooks and alerts (hooks.ts) ──
  webhooks = () => this.read(hooks.webhooks);
  deliveries = (query: { hookId?: number | undefined; limit: number }) => this.read((stmt) => hooks.deliveries(stmt, query));
  alerts = (query: { limit: number; open?: boolean | undefined }) => this.read((stmt) => hooks.alerts(stmt, query));
  retentionCandidates = (q: { before: number; belowId: number; limit: number }) =>
    this.read((stmt) => retention.retentionCandidates(stmt, q));
  eventsOfTasks = (ids: readonly number[]) => this.read((stmt) => retention.eventsOfTasks(stmt, ids));
  eventsWithTaskStatus = (after: number, limit: number) =>
    this.read((stmt) => retention.eventsWithTaskStatus(stmt, after, limit));

  async close(): Promise<void> {
    await this.writer.tail;
    // The write connection closes last: as the file's last connection it checkpoints the WAL.
    if (this.reader !== this.db) this.reader.close();
    this.db.close();
  }

  /** Inserts a row built from named columns; statements are cached per column set. */
  insertRow(table: string, cols: Record<string, unknown>): number {
    const keys = Object.keys(cols);
    const sql = `INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`;
    return Number(this.stmt(sql).run(cols).lastInsertRowid);
  }
}

function cached(cache: Map<string, Database.Statement>, db: Database.Database, sql: string): Database.Statement {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

function taskById(stmt: (sql: string) => Database.Statement, id: number): Task | undefined {
  const row = stmt(SQL.taskById).get(id) as Row | undefined;
  return row ? rowToTask(row) : undefined;
}

function allWorkers(stmt: (sql: string) => Database.Statement): Worker[] {
  return (stmt('SELECT * FROM workers ORDER BY id').all() as Row[]).map(rowToWorker);
}
