import type { BackupParts } from '../../core/backup.js';
import type { Edge } from '../../core/graph.js';
import type { TaskPatch } from '../../core/lifecycle.js';
import { DEFAULT_RESOURCE_CAPACITY } from '../../core/resources.js';
import type { DependencyCondition, NewEvent, Task, Team, Worker } from '../../core/types.js';
import type { WorkflowRecord } from '../../core/workflow/record.js';
import type { NewRun, WorkflowRun } from '../../core/workflow/run.js';
import type { TriggerChange, TriggerState } from '../../core/workflow/triggers.js';
import type { DeliveryPatch, NewAlert, NewDelivery, NewWebhook, WebhookPatch } from '../hooks.js';
import type { GithubLinkRecord, GithubRepoRecord } from '../integrations.js';
import type { NewBid, NewOffer, OfferClose } from '../offers.js';
import { offerStatements, offerWrites, positional } from '../offers.js';
import type { NewTask, PushView, RunPatch, StoreDump, StoreTx, WorkerUpsert } from '../store.js';
import * as backup from './backup.js';
import * as hooks from './hooks.js';
import * as integrations from './integrations.js';
import { QUEUE_SQL, writePause } from './queues.js';
import * as retention from './retention.js';
import { eventToColumns, patchToColumns, type Row, rowToTask, rowToWorker, taskToColumns, workerToColumns } from './rows.js';
import * as runs from './runs.js';
import { SQL } from './sql.js';
import type { SqliteStore } from './sqlite-store.js';
import * as teams from './teams.js';
import * as triggers from './triggers.js';
import * as workflows from './workflows.js';

const OFFER_SQL = offerStatements((name) => name);

export class SqliteTx implements StoreTx {
  /** Whether this transaction wrote anything (a failure after a write undoes its whole batch). */
  wrote = false;

  constructor(
    private readonly store: SqliteStore,
    readonly now: number,
  ) {}

  async getTask(id: number): Promise<Task | undefined> {
    // On the write connection: a transaction reads its own batch's writes.
    const row = this.store.stmt(SQL.taskById).get(id) as Row | undefined;
    return row ? rowToTask(row) : undefined;
  }

  async getTasks(ids: readonly number[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    return (this.store.stmt(SQL.tasksByIds).all(JSON.stringify(ids)) as Row[]).map(rowToTask);
  }

  async queueWaiting(queue: string): Promise<number> {
    return Number(this.store.stmt(QUEUE_SQL.waiting).pluck().get(queue));
  }

  async setPause(queue: string, pause: { atMs: number; by: string | null } | null): Promise<boolean> {
    this.wrote = true;
    return writePause((sql) => this.store.stmt(sql), queue, pause);
  }

  async putTeam(team: Team): Promise<void> {
    this.wrote = true;
    teams.putTeam((sql) => this.store.stmt(sql), team);
  }

  async removeTeam(name: string): Promise<boolean> {
    this.wrote = true;
    return teams.removeTeam((sql) => this.store.stmt(sql), name);
  }

  async insertTask(task: NewTask): Promise<Task> {
    this.wrote = true;
    const cols = taskToColumns({ ...task, updatedAt: task.createdAt });
    const id = this.store.insertRow('tasks', cols);
    if (task.dependsOn.length > 0) await this.addDependencies(id, task.dependsOn, task.conditions);
    return { ...task, id, version: 1, updatedAt: task.createdAt, dependsOn: [...task.dependsOn].sort((a, b) => a - b) };
  }

  async updateTask(task: Task, patch: TaskPatch): Promise<Task | undefined> {
    this.wrote = true;
    const updatedAt = new Date(this.now).toISOString();
    const cols = patchToColumns({ ...patch, updatedAt });
    const keys = Object.keys(cols);
    const sql = `UPDATE tasks SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, version = version + 1 WHERE id = @__id AND version = @__version`;
    const info = this.store.stmt(sql).run({ ...cols, __id: task.id, __version: task.version });
    if (info.changes !== 1) return undefined;
    return { ...task, ...patch, updatedAt, version: task.version + 1 };
  }

  async ensureResources(specs: readonly { name: string; capacity: number | null }[]): Promise<Map<string, number>> {
    if (specs.length === 0) return new Map();
    this.wrote = true;
    for (const spec of specs) this.store.stmt(SQL.ensureResource).run(spec.name, spec.capacity ?? DEFAULT_RESOURCE_CAPACITY);
    const rows = this.store.stmt(SQL.resourceCapacities).all(JSON.stringify(specs.map((s) => s.name))) as Row[];
    return new Map(rows.map((r) => [String(r.name), Number(r.capacity)]));
  }

  async setResourceCapacity(name: string, capacity: number): Promise<number | null> {
    this.wrote = true;
    const before = this.store.stmt(SQL.resourceCapacities).get(JSON.stringify([name])) as Row | undefined;
    this.store.stmt(SQL.setResource).run(name, capacity);
    return before ? Number(before.capacity) : null;
  }

  async addDependencies(
    taskId: number,
    dependsOn: readonly number[],
    conditions: readonly DependencyCondition[] = [],
  ): Promise<void> {
    this.wrote = true;
    const insert = this.store.stmt('INSERT OR IGNORE INTO task_dependencies (task_id, depends_on) VALUES (?, ?)');
    for (const dep of dependsOn) insert.run(taskId, dep);
    const set = this.store.stmt(`INSERT INTO task_dependencies (task_id, depends_on, condition) VALUES (?, ?, ?)
      ON CONFLICT (task_id, depends_on) DO UPDATE SET condition = excluded.condition`);
    for (const c of conditions) set.run(taskId, c.on, c.if);
  }

  async removeDependency(taskId: number, dependsOn: number): Promise<boolean> {
    this.wrote = true;
    return (
      this.store.stmt('DELETE FROM task_dependencies WHERE task_id = ? AND depends_on = ?').run(taskId, dependsOn).changes === 1
    );
  }

  async dependencyClosure(ids: readonly number[]): Promise<Edge[]> {
    const rows = this.store.stmt(SQL.dependencyClosure).all(JSON.stringify(ids)) as { task_id: number; depends_on: number }[];
    return rows.map((r) => [r.task_id, r.depends_on] as const);
  }

  async dependents(id: number): Promise<Task[]> {
    return (this.store.stmt(SQL.dependents).all(id) as Row[]).map(rowToTask);
  }

  async appendEvent(event: NewEvent): Promise<void> {
    this.wrote = true;
    this.store.insertRow('events', eventToColumns(event));
  }

  async lockWorker(id: string): Promise<Worker | undefined> {
    const row = this.store.stmt('SELECT * FROM workers WHERE id = ?').get(id) as Row | undefined;
    return row ? rowToWorker(row) : undefined;
  }

  async upsertWorker(w: WorkerUpsert): Promise<{ worker: Worker; created: boolean }> {
    this.wrote = true;
    const existing = (this.store.stmt('SELECT * FROM workers WHERE id = ?').get(w.id) as Row | undefined) ?? null;
    const at = new Date(this.now).toISOString();
    const before = existing ? rowToWorker(existing) : null;
    const worker: Worker = {
      id: w.id,
      name: w.name !== undefined ? w.name : (before?.name ?? null),
      capabilities: w.capabilities ?? before?.capabilities ?? [],
      host: w.host !== undefined ? w.host : (before?.host ?? null),
      pid: w.pid !== undefined ? w.pid : (before?.pid ?? null),
      concurrency: w.concurrency ?? before?.concurrency ?? 1,
      version: w.version !== undefined ? w.version : (before?.version ?? null),
      registeredAt: before?.registeredAt ?? at,
      lastSeenAt: at,
      state: w.state ?? 'active',
      usage: w.usage !== undefined ? w.usage : (before?.usage ?? null),
      breaker: w.breaker !== undefined ? w.breaker : (before?.breaker ?? null),
    };
    this.store.stmt(SQL.upsertWorker).run(workerToColumns(worker));
    return { worker, created: before === null };
  }

  async pushView(historyLimit: number): Promise<PushView> {
    const workers = (this.store.stmt(SQL.allWorkers).all() as Row[]).map(rowToWorker);
    const held = new Map<string, number>();
    for (const r of this.store.stmt(SQL.heldByWorker).all() as { owner: string; n: number }[]) held.set(r.owner, Number(r.n));
    const finished = (this.store.stmt(SQL.recentFinished).all(historyLimit) as Row[]).map(rowToTask);
    return { workers, held, finished };
  }

  async load(dump: StoreDump): Promise<void> {
    this.wrote = true;
    this.store.db.pragma('defer_foreign_keys = ON');
    for (const task of dump.tasks) this.store.insertRow('tasks', taskToColumns(task));
    for (const task of dump.tasks) await this.addDependencies(task.id, task.dependsOn, task.conditions);
    for (const event of dump.events) this.store.insertRow('events', eventToColumns(event));
    for (const worker of dump.workers) this.store.insertRow('workers', workerToColumns(worker));
    for (const r of dump.resources ?? []) this.store.stmt(SQL.setResource).run(r.name, r.capacity);
    for (const team of dump.teams ?? []) await this.putTeam(team);
  }

  // ── backups and retention (backup.ts, retention.ts) ──
  async holdsNothing(): Promise<boolean> {
    return backup.holdsNothing((sql) => this.store.stmt(sql));
  }

  async clear(): Promise<void> {
    this.wrote = true;
    backup.clearTables(this.store);
  }

  async loadParts(parts: BackupParts): Promise<void> {
    this.wrote = true;
    backup.loadParts(this.store, parts);
    for (const t of parts.tasks ?? []) await this.addDependencies(t.id, t.dependsOn, t.conditions);
  }

  // Explicit ids move AUTOINCREMENT on by themselves; nothing is left to do.
  async finishLoad(): Promise<void> {}

  async removeTasks(tasks: readonly Pick<Task, 'id' | 'version'>[], before: number): Promise<number[]> {
    this.wrote = true;
    return retention.removeTasks((sql) => this.store.stmt(sql), tasks, before);
  }

  async removeEvents(ids: readonly number[]): Promise<number> {
    this.wrote = true;
    return retention.removeEvents((sql) => this.store.stmt(sql), ids);
  }

  // ── push offers, auctions and bids (offers.ts) ──
  private get offers() {
    return offerWrites(
      OFFER_SQL,
      async (sql, params) => {
        if (!sql.trimStart().startsWith('SELECT')) this.wrote = true;
        const { sql: text, values } = positional(sql, params);
        return this.store.stmt(text).all(...values) as Row[];
      },
      '',
    );
  }
  insertOffer = (o: NewOffer) => this.offers.insertOffer(o);
  openOfferOf = (taskId: number) => this.offers.openOfferOf(taskId);
  offersOfTask = (taskId: number) => this.offers.offersOfTask(taskId);
  closeOffer = (id: number, close: OfferClose) => this.offers.closeOffer(id, close);
  putBid = (bid: NewBid) => this.offers.putBid(bid);
  bidsOf = (offerId: number) => this.offers.bidsOf(offerId);

  // ── webhooks and alerts (hooks.ts) ──
  private get hookStmt() {
    return (sql: string) => this.store.stmt(sql);
  }
  private writing<T>(value: T): T {
    this.wrote = true;
    return value;
  }
  insertWebhook = async (h: NewWebhook) => this.writing(hooks.insertWebhook(this.hookStmt, h));
  deleteWebhook = async (id: number) => this.writing(hooks.deleteWebhook(this.hookStmt, id));
  lockWebhook = async (id: number) => hooks.lockWebhook(this.hookStmt, id);
  updateWebhook = async (id: number, patch: WebhookPatch) => this.writing(hooks.updateWebhook(this.hookStmt, id, patch));
  insertDeliveries = async (rows: readonly NewDelivery[]) => this.writing(hooks.insertDeliveries(this.hookStmt, rows));
  takeDeliveries = async (hookId: number, now: number, leaseUntil: number, limit: number) =>
    this.writing(hooks.takeDeliveries(this.hookStmt, hookId, now, leaseUntil, limit));
  updateDelivery = async (id: number, patch: DeliveryPatch) => this.writing(hooks.updateDelivery(this.hookStmt, id, patch));
  removeDeliveries = async (before: number, limit: number) => this.writing(hooks.removeDeliveries(this.hookStmt, before, limit));
  raiseAlert = async (alert: NewAlert, options: { reopen: boolean }) =>
    this.writing(hooks.raiseAlert(this.hookStmt, alert, options));
  resolveAlert = async (key: string, at: number) => this.writing(hooks.resolveAlert(this.hookStmt, key, at));

  // ── inbound deliveries and GitHub links (integrations.ts) ──
  recordInboundDelivery = async (hook: string, deliveryId: string, at: number) =>
    this.writing(integrations.recordInboundDelivery(this.hookStmt, hook, deliveryId, at));
  saveGithubLink = async (link: GithubLinkRecord) => this.writing(integrations.saveGithubLink(this.hookStmt, link));
  saveGithubRepo = async (repo: GithubRepoRecord) => this.writing(integrations.saveGithubRepo(this.hookStmt, repo));

  async isEmpty(): Promise<boolean> {
    const n = this.store.stmt(SQL.anyRows).pluck().get();
    return !n;
  }

  // SQLite's writers take turns (BEGIN IMMEDIATE), so nothing registers the name meanwhile.
  async latestWorkflow(name: string): Promise<WorkflowRecord | undefined> {
    return workflows.latestWorkflow((sql) => this.store.stmt(sql), name);
  }

  async insertWorkflow(record: WorkflowRecord): Promise<void> {
    this.wrote = true;
    workflows.insertWorkflow((sql) => this.store.stmt(sql), record);
  }

  async setTriggers(name: string, states: readonly TriggerState[]): Promise<void> {
    this.wrote = true;
    triggers.setTriggers((sql) => this.store.stmt(sql), name, states);
  }

  async updateTrigger(prev: TriggerState, next: TriggerChange): Promise<boolean> {
    this.wrote = true;
    return triggers.updateTrigger((sql) => this.store.stmt(sql), prev, next);
  }

  async insertRun(run: NewRun): Promise<WorkflowRun> {
    this.wrote = true;
    return runs.insertRun((sql) => this.store.stmt(sql), run);
  }

  // BEGIN IMMEDIATE already holds the store's write lock: no other writer reads the run meanwhile.
  async lockRun(id: number): Promise<WorkflowRun | undefined> {
    return runs.getRun((sql) => this.store.stmt(sql), id);
  }

  async updateRun(run: WorkflowRun, patch: RunPatch): Promise<WorkflowRun | undefined> {
    this.wrote = true;
    return runs.updateRun((sql) => this.store.stmt(sql), run, patch, this.now);
  }
}
