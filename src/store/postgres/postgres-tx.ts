import type { BackupParts } from '../../core/backup.js';
import type { Edge } from '../../core/graph.js';
import type { TaskPatch } from '../../core/lifecycle.js';
import { DEFAULT_RESOURCE_CAPACITY } from '../../core/resources.js';
import type { DependencyCondition, NewEvent, Task, Team, Worker } from '../../core/types.js';
import type { WorkflowRecord } from '../../core/workflow/record.js';
import { type NewRun, runOf, type WorkflowRun } from '../../core/workflow/run.js';
import type { TriggerChange, TriggerState } from '../../core/workflow/triggers.js';
import type { DeliveryPatch, NewAlert, NewDelivery, NewWebhook, WebhookPatch } from '../hooks.js';
import type { GithubLinkRecord, GithubRepoRecord } from '../integrations.js';
import { type NewBid, type NewOffer, type OfferClose, offerWrites } from '../offers.js';
import type { NewTask, PushView, RunPatch, StoreDump, StoreTx, WorkerUpsert } from '../store.js';
import * as backup from './backup.js';
import type { Queryable } from './connection.js';
import { hookWrites } from './hooks.js';
import { integrationWrites } from './integrations.js';
import type { PostgresStore } from './postgres-store.js';
import {
  eventParams,
  eventToRecord,
  JSON_COLUMNS,
  patchToColumns,
  type Row,
  rowToTask,
  rowToWorker,
  taskToColumns,
  taskToRecord,
  workerParams,
  workerToRecord,
} from './rows.js';
import { insertRunParams, updateRunParams } from './runs.js';
import { triggerRow, updateParams } from './triggers.js';
import { insertParams, lockKey, recordsOf } from './workflows.js';

/** Rows per statement when loading an export: large enough to amortise, small enough to send. */
const LOAD_CHUNK = 2000;

/** The placeholder of parameter `n` for column `name`. */
const placeholder = (name: string, n: number): string => (JSON_COLUMNS.has(name) ? `$${n}::text::json` : `$${n}`);

/**
 * One transaction on one reserved connection. Rows read to be changed are locked (FOR UPDATE,
 * or FOR SHARE for tasks only consulted), so LocalBaton's read-then-version-guarded-write cannot
 * lose to a concurrent writer; deadlocks this may cause are retried by the store.
 */
export class PostgresTx implements StoreTx {
  /** Writes sent without waiting for their answers: they travel with the next statement. */
  private readonly sent: Promise<unknown>[] = [];

  constructor(
    private readonly store: PostgresStore,
    private readonly conn: Queryable,
    readonly now: number,
  ) {}

  private q(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.store.exec(this.conn, text, params);
  }

  /**
   * Sends a write whose answer nothing in the transaction needs, without waiting for it: the
   * connection keeps statements in order, so what follows sees it, and the COMMIT goes in the same
   * round trip. Its failure is thrown by `unanswered`, which the transaction awaits.
   */
  private send(text: string, params: readonly unknown[]): void {
    // `then` sends it now (the driver's queries are lazy); the failure is kept for `unanswered`.
    const answer = this.q(text, params).then(() => undefined);
    answer.catch(() => {});
    this.sent.push(answer);
  }

  /** Waits for the writes sent without waiting; throws the first failure. */
  async unanswered(): Promise<void> {
    for (const answer of this.sent) await answer;
  }

  private get st() {
    return this.store.st;
  }

  async getTask(id: number): Promise<Task | undefined> {
    const [row] = await this.q(this.st.taskByIdForUpdate, [id]);
    return row ? rowToTask(row) : undefined;
  }

  async queueWaiting(queue: string): Promise<number> {
    await this.q(this.store.qs.lockQueue, [`baton.queue.${this.st.schema}.${queue}`]);
    const [row] = await this.q(this.store.qs.waiting, [queue]);
    return Number(row?.n ?? 0);
  }

  async setPause(queue: string, pause: { atMs: number; by: string | null } | null): Promise<boolean> {
    const qs = this.store.qs;
    return (await (pause ? this.q(qs.pause, [queue, pause.atMs, pause.by]) : this.q(qs.resume, [queue]))).length > 0;
  }

  async getTasks(ids: readonly number[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    return (await this.q(this.st.tasksByIdsForShare, [[...ids]])).map(rowToTask);
  }

  async putTeam(team: Team): Promise<void> {
    const ts = this.store.teams;
    await this.q(ts.upsertTeam, [team.name, team.leader, Date.parse(team.createdAt)]);
    await this.q(ts.clearMembers, [team.name]);
    await this.q(ts.addMembers, [team.name, team.members]);
  }

  async removeTeam(name: string): Promise<boolean> {
    return (await this.q(this.store.teams.removeTeam, [name])).length > 0;
  }

  async insertTask(task: NewTask): Promise<Task> {
    const { id: _id, ...cols } = taskToColumns({ ...task, updatedAt: task.createdAt });
    const keys = Object.keys(cols);
    const text = `INSERT INTO ${this.st.tasks} (${keys.join(', ')}) VALUES (${keys.map((k, i) => placeholder(k, i + 1)).join(', ')}) RETURNING id`;
    const [row] = await this.q(text, Object.values(cols));
    const id = Number(row?.id);
    if (task.dependsOn.length > 0) await this.addDependencies(id, task.dependsOn, task.conditions);
    return { ...task, id, version: 1, updatedAt: task.createdAt, dependsOn: [...task.dependsOn].sort((a, b) => a - b) };
  }

  async updateTask(task: Task, patch: TaskPatch): Promise<Task | undefined> {
    const updatedAt = new Date(this.now).toISOString();
    const cols = patchToColumns({ ...patch, updatedAt });
    const keys = Object.keys(cols);
    const sets = keys.map((k, i) => `${k} = ${placeholder(k, i + 1)}`).join(', ');
    const n = keys.length;
    const text = `UPDATE ${this.st.tasks} SET ${sets}, version = version + 1 WHERE id = $${n + 1} AND version = $${n + 2} RETURNING id`;
    const rows = await this.q(text, [...Object.values(cols), task.id, task.version]);
    if (rows.length !== 1) return undefined;
    return { ...task, ...patch, updatedAt, version: task.version + 1 };
  }

  async ensureResources(specs: readonly { name: string; capacity: number | null }[]): Promise<Map<string, number>> {
    if (specs.length === 0) return new Map();
    const names = specs.map((s) => s.name);
    await this.q(this.st.ensureResources, [names, specs.map((s) => s.capacity ?? DEFAULT_RESOURCE_CAPACITY)]);
    const rows = await this.q(this.st.resourceCapacities, [names]);
    return new Map(rows.map((r) => [String(r.name), Number(r.capacity)]));
  }

  async setResourceCapacity(name: string, capacity: number): Promise<number | null> {
    const [before] = await this.q(this.st.resourceForUpdate, [name]);
    await this.q(this.st.setResource, [name, capacity]);
    return before ? Number(before.capacity) : null;
  }

  async addDependencies(
    taskId: number,
    dependsOn: readonly number[],
    conditions: readonly DependencyCondition[] = [],
  ): Promise<void> {
    if (dependsOn.length > 0) await this.q(this.st.addDependencies, [taskId, [...dependsOn]]);
    if (conditions.length === 0) return;
    await this.q(this.st.setConditions, [taskId, conditions.map((c) => c.on), conditions.map((c) => c.if)]);
  }

  async removeDependency(taskId: number, dependsOn: number): Promise<boolean> {
    const result = await this.q(`${this.st.removeDependency} RETURNING task_id`, [taskId, dependsOn]);
    return result.length === 1;
  }

  async dependencyClosure(ids: readonly number[]): Promise<Edge[]> {
    if (ids.length === 0) return [];
    // The closure serves a cycle check, which must see every edge added before its own: two
    // transactions adding edges that only together close a cycle lock no row in common, so each
    // would find its own edge safe. One at a time per schema, then; the lock is taken in its own
    // statement so that the closure, read after it is granted, sees what its holder committed.
    await this.q(this.st.lockDependencyGraph, [`baton.dependencies.${this.store.settings.schema}`]);
    const rows = await this.q(this.st.dependencyClosure, [[...ids]]);
    return rows.map((r) => [Number(r.task_id), Number(r.depends_on)] as const);
  }

  async dependents(id: number): Promise<Task[]> {
    return (await this.q(this.st.dependentsForUpdate, [id])).map(rowToTask);
  }

  async appendEvent(event: NewEvent): Promise<void> {
    this.send(this.st.insertEvent, eventParams(event));
  }

  async lockWorker(id: string): Promise<Worker | undefined> {
    const [row] = await this.q(this.st.workerByIdForUpdate, [id]);
    return row ? rowToWorker(row) : undefined;
  }

  async upsertWorker(w: WorkerUpsert): Promise<{ worker: Worker; created: boolean }> {
    const [existing] = await this.q(this.st.workerByIdForUpdate, [w.id]);
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
    const [row] = await this.q(this.st.upsertWorker, workerParams(worker));
    // Two first registrations racing: only the one that inserted the row reports it created.
    return { worker, created: Boolean(row?.created) };
  }

  async pushView(historyLimit: number): Promise<PushView> {
    const workers = (await this.q(this.st.allWorkers)).map(rowToWorker);
    const held = new Map<string, number>();
    for (const r of await this.q(this.st.heldByWorker)) held.set(String(r.owner), Number(r.n));
    const finished = (await this.q(this.st.recentFinished, [historyLimit])).map(rowToTask);
    return { workers, held, finished };
  }

  /** Bulk load: one statement per table and chunk; links are checked at commit. */
  async load(dump: StoreDump): Promise<void> {
    await this.q('SET CONSTRAINTS ALL DEFERRED');
    await this.chunked(this.st.loadTasks, dump.tasks.map(taskToRecord));
    await this.chunked(
      this.st.loadDependencies,
      dump.tasks.flatMap((t) => t.dependsOn.map((d) => [t.id, d, t.conditions.find((c) => c.on === d)?.if ?? null])),
    );
    await this.chunked(this.st.loadEvents, dump.events.map(eventToRecord));
    await this.chunked(this.st.loadWorkers, dump.workers.map(workerToRecord));
    for (const r of dump.resources ?? []) await this.q(this.st.setResource, [r.name, r.capacity]);
    for (const team of dump.teams ?? []) await this.putTeam(team);
    await this.q(this.st.resetSequences);
    await this.q(this.st.analyzeLoaded);
  }

  private async chunked(text: string, rows: unknown[]): Promise<void> {
    for (let i = 0; i < rows.length; i += LOAD_CHUNK) await this.q(text, [rows.slice(i, i + LOAD_CHUNK)]);
  }

  // ── backups and retention (backup.ts, retention.ts) ──
  holdsNothing = (): Promise<boolean> => backup.holdsNothing(this.store, (t, p) => this.q(t, p));
  clear = (): Promise<void> => backup.clearTables(this.store, (t, p) => this.q(t, p));
  loadParts = (parts: BackupParts): Promise<void> => backup.loadParts(this.store, (t, p) => this.q(t, p), parts);
  finishLoad = (): Promise<void> => backup.finishLoad(this.store, (t, p) => this.q(t, p));

  async removeTasks(tasks: readonly Pick<Task, 'id' | 'version'>[], before: number): Promise<number[]> {
    const ret = this.store.ret;
    const locked = await this.q(ret.lockRemovable, [tasks.map((t) => t.id), tasks.map((t) => t.version), before]);
    const ids = locked.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    await this.q(ret.deleteTaskEvents, [ids]);
    await this.q(ret.deleteTaskEdges, [ids]);
    await this.q(ret.deleteTasks, [ids]);
    return ids;
  }

  async removeEvents(ids: readonly number[]): Promise<number> {
    return (await this.q(this.store.ret.deleteEvents, [[...ids]])).length;
  }

  // ── push offers, auctions and bids (offers.ts) ──
  private get offers() {
    return offerWrites(this.store.offers, (t, p) => this.q(t, p), ' FOR UPDATE');
  }
  insertOffer = (o: NewOffer) => this.offers.insertOffer(o);
  openOfferOf = (taskId: number) => this.offers.openOfferOf(taskId);
  offersOfTask = (taskId: number) => this.offers.offersOfTask(taskId);
  closeOffer = (id: number, close: OfferClose) => this.offers.closeOffer(id, close);
  putBid = (bid: NewBid) => this.offers.putBid(bid);
  bidsOf = (offerId: number) => this.offers.bidsOf(offerId);

  // ── webhooks and alerts (hooks.ts) ──
  private get hooks() {
    return hookWrites(this.store.hooks, (t, p) => this.q(t, p));
  }
  insertWebhook = (h: NewWebhook) => this.hooks.insertWebhook(h);
  deleteWebhook = (id: number) => this.hooks.deleteWebhook(id);
  lockWebhook = (id: number, options?: { wait?: boolean }) => this.hooks.lockWebhook(id, options);
  updateWebhook = (id: number, patch: WebhookPatch) => this.hooks.updateWebhook(id, patch);
  insertDeliveries = (rows: readonly NewDelivery[]) => this.hooks.insertDeliveries(rows);
  takeDeliveries = (hookId: number, now: number, leaseUntil: number, limit: number) =>
    this.hooks.takeDeliveries(hookId, now, leaseUntil, limit);
  updateDelivery = (id: number, patch: DeliveryPatch) => this.hooks.updateDelivery(id, patch);
  removeDeliveries = (before: number, limit: number) => this.hooks.removeDeliveries(before, limit);
  raiseAlert = (alert: NewAlert, options: { reopen: boolean }) => this.hooks.raiseAlert(alert, options);
  resolveAlert = (key: string, at: number) => this.hooks.resolveAlert(key, at);

  // ── inbound deliveries and GitHub links (integrations.ts) ──
  private get integrations() {
    return integrationWrites(this.store.integrations, (t, p) => this.q(t, p));
  }
  recordInboundDelivery = (hook: string, deliveryId: string, at: number) =>
    this.integrations.recordInboundDelivery(hook, deliveryId, at);
  saveGithubLink = (link: GithubLinkRecord) => this.integrations.saveGithubLink(link);
  saveGithubRepo = (repo: GithubRepoRecord) => this.integrations.saveGithubRepo(repo);

  async isEmpty(): Promise<boolean> {
    const [row] = await this.q(this.st.anyRows);
    return !row?.any;
  }

  async latestWorkflow(name: string): Promise<WorkflowRecord | undefined> {
    // A first registration has no row to lock: the lock on the name serialises them all.
    await this.q(this.store.wf.lockName, [lockKey(this.store.settings.schema, name)]);
    return recordsOf(await this.q(this.store.wf.latest, [name]))[0];
  }

  async insertWorkflow(record: WorkflowRecord): Promise<void> {
    await this.q(this.store.wf.insert, insertParams(record));
  }

  async setTriggers(name: string, states: readonly TriggerState[]): Promise<void> {
    await this.q(this.store.triggers.clear, [name]);
    for (const state of states) await this.q(this.store.triggers.insert, triggerRow(state));
  }

  async updateTrigger(prev: TriggerState, next: TriggerChange): Promise<boolean> {
    return (await this.q(this.store.triggers.update, updateParams(prev, next))).length === 1;
  }

  async insertRun(run: NewRun): Promise<WorkflowRun> {
    return runOf((await this.q(this.store.runs.insert, insertRunParams(run)))[0] as Row);
  }

  async lockRun(id: number): Promise<WorkflowRun | undefined> {
    const [row] = await this.q(this.store.runs.lock, [id]);
    return row ? runOf(row) : undefined;
  }

  async updateRun(run: WorkflowRun, patch: RunPatch): Promise<WorkflowRun | undefined> {
    const next = { ...run, ...patch };
    const [row] = await this.q(this.store.runs.update, updateRunParams(run, next, this.now));
    return row ? runOf(row) : undefined;
  }
}
