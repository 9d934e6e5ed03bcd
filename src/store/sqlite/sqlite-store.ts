import type Database from 'better-sqlite3';
import { claimPatch, diff, TRANSITIONS } from '../../core/lifecycle.js';
import { compareForClaim } from '../../core/ordering.js';
import type { Task, TaskEvent, TaskStatus, Worker } from '../../core/types.js';
import { PRIORITIES, type Priority, TASK_STATUSES } from '../../core/types.js';
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
import { keyCapabilities, type ReadyCounts, readyCountsOf } from '../store.js';
import { type Row, rowToEvent, rowToTask, rowToWorker } from './rows.js';
import { CLAIM_ONE, SQL } from './sql.js';

import { beginImmediate, type WriterQueue, writerQueue } from './sqlite-lock.js';
import { SqliteTx } from './sqlite-tx.js';

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
  private readonly writer: WriterQueue;
  private readonly pending: PendingTx[] = [];
  private batchScheduled = false;

  constructor(
    readonly db: Database.Database,
    readonly location: string,
  ) {
    this.writer = writerQueue(location);
  }

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
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
    try {
      beginImmediate(this.db);
    } catch (err) {
      this.batchScheduled = false;
      for (const p of this.pending.splice(0)) p.reject(err);
      return;
    }
    const succeeded: { p: PendingTx; value: unknown }[] = [];
    while (this.pending.length > 0 && succeeded.length < MAX_BATCH) {
      const p = this.pending.shift() as PendingTx;
      const tx = new SqliteTx(this, Date.now());
      try {
        succeeded.push({ p, value: await p.fn(tx) });
      } catch (err) {
        p.reject(err);
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
      for (const s of succeeded) s.p.reject(err);
      this.finishBatch();
      return;
    }
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
      const rows = this.claimCandidates(request, now);
      const candidates = rows.map(rowToTask).sort(compareForClaim).slice(0, request.limit);
      const claimed: Task[] = [];
      for (const task of candidates) {
        if (!(TRANSITIONS.claim as readonly TaskStatus[]).includes(task.status)) continue;
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

  /**
   * The best candidates of both kinds (reserved for this worker, and open to all). A single claim
   * uses `LIMIT 1` statements read with `get()`, which SQLite answers from the first index entry.
   */
  private claimCandidates(request: ClaimRequest, now: number): Row[] {
    const caps = JSON.stringify(request.capabilities);
    if (request.limit === 1) {
      const assigned = this.stmt(CLAIM_ONE.assigned).get({ worker: request.workerId, now, caps }) as Row | undefined;
      const queued = this.stmt(CLAIM_ONE.queued).get({ now, caps }) as Row | undefined;
      return [assigned, queued].filter((r): r is Row => r !== undefined);
    }
    return [
      ...(this.stmt(SQL.claimAssigned).all({ worker: request.workerId, now, caps, limit: request.limit }) as Row[]),
      ...(this.stmt(SQL.claimQueued).all({ now, caps, limit: request.limit }) as Row[]),
    ];
  }

  async getTask(id: number): Promise<Task | undefined> {
    const row = this.stmt(SQL.taskById).get(id) as Row | undefined;
    return row ? rowToTask(row) : undefined;
  }

  async listTasks(query: TaskQuery): Promise<Task[]> {
    const { where, params } = taskWhere(query, Date.now());
    const order = query.ready ? 'claim_order, cap_count DESC, id' : 'id';
    const sql = `${SQL.selectTask} ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    const rows = this.stmt(sql).all({ ...params, limit: query.limit ?? -1, offset: query.offset ?? 0 }) as Row[];
    return rows.map(rowToTask);
  }

  async countTasks(query: TaskQuery): Promise<number> {
    const { where, params } = taskWhere(query, Date.now());
    return Number(this.stmt(`SELECT count(*) FROM tasks t ${where}`).pluck().get(params));
  }

  async countByStatus(): Promise<Record<TaskStatus, number>> {
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const r of this.stmt(SQL.countByStatus).all() as { status: TaskStatus; n: number }[]) counts[r.status] = r.n;
    return counts;
  }

  async readyCounts(nowMs: number, breachBefore: Record<Priority, number | null>): Promise<ReadyCounts> {
    const cut = Object.fromEntries(PRIORITIES.map((p) => [p, breachBefore[p] ?? -1]));
    const rows = this.stmt(SQL.readyCounts).all({ now: nowMs, ...cut }) as { priority: Priority; n: number; breaches: number }[];
    return readyCountsOf(rows);
  }

  async countCompletedSince(sinceMs: number): Promise<number> {
    return Number(this.stmt(SQL.countCompletedSince).pluck().get(sinceMs));
  }

  async expiredLeases(nowMs: number, limit: number): Promise<number[]> {
    return this.stmt(SQL.expiredLeases).pluck().all(nowMs, limit) as number[];
  }

  async getWorker(id: string): Promise<Worker | undefined> {
    const row = this.stmt('SELECT * FROM workers WHERE id = ?').get(id) as Row | undefined;
    return row ? rowToWorker(row) : undefined;
  }

  async listWorkers(): Promise<Worker[]> {
    return (this.stmt('SELECT * FROM workers ORDER BY id').all() as Row[]).map(rowToWorker);
  }

  async leasesByWorker(): Promise<Map<string, number[]>> {
    const map = new Map<string, number[]>();
    for (const r of this.stmt(SQL.leasesByWorker).all() as { owner: string; id: number }[]) {
      const list = map.get(r.owner) ?? [];
      list.push(r.id);
      map.set(r.owner, list);
    }
    return map;
  }

  async events(query: EventQuery): Promise<TaskEvent[]> {
    const rows =
      query.taskId !== undefined
        ? this.stmt(SQL.eventsOfTask).all(query.taskId, query.afterId ?? 0, query.limit ?? -1)
        : this.stmt(SQL.eventsAfter).all(query.afterId ?? 0, query.limit ?? -1);
    return (rows as Row[]).map(rowToEvent);
  }

  async now(): Promise<number> {
    return Date.now();
  }

  async dump(): Promise<StoreDump> {
    const version = Number(this.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get());
    return {
      format: 'baton-export',
      formatVersion: 1,
      schemaVersion: version,
      exportedAt: new Date().toISOString(),
      tasks: (this.stmt(`${SQL.selectTask} ORDER BY id`).all() as Row[]).map(rowToTask),
      events: (this.stmt('SELECT * FROM events ORDER BY id').all() as Row[]).map(rowToEvent),
      workers: await this.listWorkers(),
    };
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return (this.stmt('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[]).map(rowToKey);
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

  async close(): Promise<void> {
    await this.writer.tail;
    this.db.close();
  }

  /** Inserts a row built from named columns; statements are cached per column set. */
  insertRow(table: string, cols: Record<string, unknown>): number {
    const keys = Object.keys(cols);
    const sql = `INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`;
    return Number(this.stmt(sql).run(cols).lastInsertRowid);
  }
}

function rowToKey(r: Row): ApiKeyRecord {
  return {
    id: String(r.id),
    hash: String(r.hash),
    role: r.role as ApiKeyRecord['role'],
    workerId: (r.worker_id as string | null) ?? null,
    name: (r.name as string | null) ?? null,
    capabilities: keyCapabilities(r.capabilities),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    revokedAt: r.revoked_at === null || r.revoked_at === undefined ? null : new Date(Number(r.revoked_at)).toISOString(),
  };
}

function taskWhere(query: TaskQuery, now: number): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (query.status && query.status.length > 0) {
    clauses.push(`t.status IN (${query.status.map((_, i) => `@s${i}`).join(', ')})`);
    query.status.forEach((s, i) => {
      params[`s${i}`] = s;
    });
  }
  if (query.ready) {
    clauses.push("t.status IN ('queued', 'assigned') AND t.run_after <= @now");
    params.now = now;
  }
  if (query.assignee !== undefined) {
    clauses.push('t.assignee = @assignee');
    params.assignee = query.assignee;
  }
  if (query.parentId !== undefined) {
    clauses.push('t.parent_id = @parent');
    params.parent = query.parentId;
  }
  if (query.tag !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = @tag)');
    params.tag = query.tag;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
