import { analyzeComplexity, breaksDownOnCreate } from '../core/breakdown/complexity.js';
import { defaultRegistry, type PatternRegistry } from '../core/breakdown/registry.js';
import type { BreakdownSubject, PlannerName } from '../core/breakdown/types.js';
import { BatonError, invalid, taskNotFound, workerNotFound } from '../core/errors.js';
import { assertNoCycle } from '../core/graph.js';
import {
  assertCan,
  assertLease,
  assignPatch,
  cancelPatch,
  completePatch,
  diff,
  expirePatch,
  failPatch,
  pausePatch,
  type RuleTime,
  releasePatch,
  renewPatch,
  resumePatch,
  retryPatch,
  reviewPatch,
  type TaskPatch,
  toReady,
} from '../core/lifecycle.js';
import type { Policy } from '../core/policy.js';
import {
  analyzeSubjectSchema,
  breakdownOptionsSchema,
  cancelSchema,
  claimManySchema,
  completeSchema,
  createTaskSchema,
  dependenciesSchema,
  dumpSchema,
  eventsQuerySchema,
  failSchema,
  leaseRefSchema,
  listQuerySchema,
  noteSchema,
  parseWith,
  progressSchema,
  registerWorkerSchema,
  reviewSchema,
  updateTaskSchema,
  workerRefSchema,
} from '../core/schemas.js';
import { newTaskRecord, updatePatch } from '../core/task-records.js';
import type { Task, TaskEvent, WorkerView } from '../core/types.js';
import type { Store, StoreTx } from '../store/store.js';
import type {
  Baton,
  BreakdownOptions,
  BreakdownResult,
  ClaimInput,
  ClaimManyInput,
  CompleteTaskInput,
  CreateTaskInput,
  EventsQuery,
  FailInput,
  ImportSummary,
  LeaseRef,
  ListQuery,
  NoteInput,
  ProgressInput,
  RegisterWorkerInput,
  ReviewTaskInput,
  SystemStatus,
  TaskAnalysis,
  TaskDetail,
  TaskPage,
  UpdateTaskInput,
} from './baton.js';
import { type Change, TaskWriter } from './task-writer.js';
import { assertDumpIntegrity } from './transfer.js';
import { WorkerPresence } from './worker-presence.js';

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest a claim relies on a previous sweep of expired leases, in ms. */
const EXPIRY_SWEEP_MS = 100;

export interface LocalBatonOptions {
  store: Store;
  policy: Policy;
  /** Who makes the changes this instance writes (a person, a script); recorded in history. */
  actor?: string | undefined;
  /** Source of randomness for retry jitter (tests pass a fixed one). */
  random?: () => number;
  /** The store's `.baton/patterns.yaml` (custom breakdown patterns), if any. */
  patternsFile?: string | null | undefined;
  /** Patterns to start from; defaults to the process-wide registry of `registerPattern()`. */
  patterns?: PatternRegistry | undefined;
}

/** The use cases: each is a core rule, one store transaction and one event per changed task. */
export class LocalBaton implements Baton {
  readonly store: Store;
  readonly policy: Policy;
  private readonly actor: string | null;
  private readonly random: () => number;

  constructor(options: LocalBatonOptions) {
    this.store = options.store;
    this.policy = options.policy;
    this.actor = options.actor ?? null;
    this.random = options.random ?? Math.random;
    this.patternsFile = options.patternsFile ?? null;
    this.patterns = options.patterns ?? defaultRegistry;
    this.writer = new TaskWriter(this.policy, this.actor, () => {
      this.pushPending = true;
    });
    this.presence = new WorkerPresence(this.store, this.policy);
  }

  private readonly patternsFile: string | null;
  private readonly patterns: PatternRegistry;
  private readonly writer: TaskWriter;
  private readonly presence: WorkerPresence;

  // ── tasks ────────────────────────────────────────────────────────────────

  async createTask(raw: CreateTaskInput): Promise<Task> {
    const input = parseWith(createTaskSchema, raw);
    const mode = this.policy.breakdown.mode;
    const report = analyzeComplexity(input, mode);
    // Planning happens before the transaction: a planner may take a while and holds no lock.
    const prepared =
      !input.noBreakdown && breaksDownOnCreate(report.complexity, mode)
        ? await this.prepareBreakdown({ ...input, priority: input.priority ?? 'normal', complexity: report.complexity })
        : null;
    const writer = prepared ? await import('./breakdown-write.js') : null;
    const created = await this.store.transaction(async (tx) => {
      const deps = input.dependsOn ? [...new Set(input.dependsOn)] : [];
      const found = await this.writer.requireTasks(tx, deps, 'dependsOn');
      if (input.parentId !== undefined) await this.writer.requireTask(tx, input.parentId);
      const depsOpen = found.some((t) => t.status !== 'completed');
      const now = tx.now;
      const task = await tx.insertTask(
        newTaskRecord(input, { now, policy: this.policy, actor: this.actor, complexity: report.complexity, depsOpen }),
      );
      await tx.appendEvent(
        this.writer.event(task.id, now, 'created', { status: [null, task.status] }, null, {
          title: task.title,
          priority: task.priority,
          dependsOn: task.dependsOn,
        }),
      );
      if (!prepared || !writer) return task;
      const written = await writer.writePlan(tx, task, prepared, { clock: this.writer.clock(tx), actor: this.actor });
      this.notePush(written.created);
      return written.parent;
    });
    if (created.status === 'queued' && created.priority === 'critical') this.pushPending = true;
    return this.afterChange(created);
  }

  async getTask(id: number): Promise<Task> {
    const task = await this.store.getTask(id);
    if (!task) throw taskNotFound(id);
    return task;
  }

  async showTask(id: number): Promise<TaskDetail> {
    const task = await this.getTask(id);
    const history = await this.store.events({ taskId: id });
    const deps = await Promise.all(task.dependsOn.map((d) => this.store.getTask(d)));
    // A parent depends on its subtasks; they are listed as such, not as what blocks it.
    const blockedBy = deps
      .filter((d): d is Task => d !== undefined && d.status !== 'completed' && d.parentId !== id)
      .map((d) => ({ id: d.id, title: d.title, status: d.status }));
    const subtasks = deps
      .filter((d): d is Task => d !== undefined && d.parentId === id)
      .map((d) => ({ id: d.id, title: d.title, status: d.status, progress: d.progress, estimateMinutes: d.estimateMinutes }));
    return { task, history, blockedBy, ...(subtasks.length > 0 && { subtasks }) };
  }

  async listTasks(raw: ListQuery = {}): Promise<TaskPage> {
    const query = parseWith(listQuerySchema, raw);
    const q = {
      status: query.status,
      assignee: query.worker,
      tag: query.tag,
      parentId: query.parentId,
      ready: query.ready,
    };
    const [tasks, total] = await Promise.all([
      this.store.listTasks({ ...q, limit: query.limit, offset: query.offset }),
      this.store.countTasks(q),
    ]);
    return { tasks, total };
  }

  async updateTask(id: number, raw: UpdateTaskInput, options: { ifVersion?: number } = {}): Promise<Task> {
    const input = parseWith(updateTaskSchema, raw);
    return this.change(id, async (task, _tx, clock) => {
      if (options.ifVersion !== undefined && options.ifVersion !== task.version) {
        throw new BatonError('version_mismatch', `task ${id} is at version ${task.version}, not ${options.ifVersion}`, {
          id,
          version: task.version,
          expected: options.ifVersion,
        });
      }
      const patch = updatePatch(task, input, clock);
      return { type: 'updated', patch };
    });
  }

  async cancelTask(id: number, raw: { reason?: string } = {}): Promise<Task> {
    const options = parseWith(cancelSchema, raw);
    const task = await this.store.transaction(async (tx) => {
      const task = await this.writer.requireTask(tx, id);
      assertCan(task, 'cancel');
      const data = options.reason ? { reason: options.reason } : null;
      const cancelled = await this.writer.apply(tx, task, { type: 'cancelled', patch: cancelPatch(), data });
      // The parent first, so that its subtasks' cancellations do not roll up into it.
      await this.writer.cancelSubtasks(tx, cancelled);
      return cancelled;
    });
    return this.afterChange(task);
  }

  async retryTask(id: number): Promise<Task> {
    const task = await this.store.transaction(async (tx) => {
      const task = await this.writer.requireTask(tx, id);
      assertCan(task, 'retry');
      const subtasks = await this.writer.subtasksOf(tx, task);
      if (subtasks.length > 0) return this.writer.retryParent(tx, task, subtasks);
      return this.writer.apply(tx, task, {
        type: 'retried',
        patch: retryPatch(task, await this.writer.depsOpen(tx, task), this.writer.clock(tx)),
      });
    });
    return this.afterChange(task);
  }

  async pauseTask(id: number): Promise<Task> {
    return this.change(id, async (task) => {
      assertCan(task, 'pause');
      return { type: 'paused', patch: pausePatch(task) };
    });
  }

  async resumeTask(id: number): Promise<Task> {
    return this.change(id, async (task, tx, clock) => {
      assertCan(task, 'resume');
      return { type: 'resumed', patch: resumePatch(task, await this.writer.depsOpen(tx, task), clock) };
    });
  }

  async addDependencies(id: number, raw: number[]): Promise<Task> {
    const { dependsOn } = parseWith(dependenciesSchema, { dependsOn: raw });
    return this.change(id, async (task, tx) => {
      assertCan(task, 'depend');
      const added = [...new Set(dependsOn)].filter((d) => !task.dependsOn.includes(d));
      if (added.includes(id)) throw invalid('dependsOn', `task ${id} cannot depend on itself`);
      const deps = await this.writer.requireTasks(tx, added, 'dependsOn');
      assertNoCycle(
        await tx.dependencyClosure(added),
        added.map((d) => [id, d] as const),
      );
      await tx.addDependencies(id, added);
      const after = [...task.dependsOn, ...added].sort((a, b) => a - b);
      const patch: TaskPatch = {};
      if ((task.status === 'queued' || task.status === 'assigned') && deps.some((d) => d.status !== 'completed')) {
        Object.assign(patch, { status: 'blocked', readyAt: null });
      }
      return { type: 'dependency_added', patch, extraChanges: { dependsOn: [task.dependsOn, after] } };
    });
  }

  async removeDependency(id: number, dependsOn: number): Promise<Task> {
    return this.change(id, async (task, tx, clock) => {
      if (!task.dependsOn.includes(dependsOn)) {
        throw invalid('dependsOn', `task ${id} does not depend on task ${dependsOn}`);
      }
      if ((await tx.getTask(dependsOn))?.parentId === id) {
        throw invalid('dependsOn', `task ${dependsOn} is a subtask of task ${id}; cancel it instead`);
      }
      await tx.removeDependency(id, dependsOn);
      const remaining = task.dependsOn.filter((d) => d !== dependsOn);
      let patch: TaskPatch = {};
      if (task.status === 'blocked') {
        const open = (await tx.getTasks(remaining)).some((d) => d.status !== 'completed');
        if (!open) patch = toReady(task, clock);
      }
      return { type: 'dependency_removed', patch, extraChanges: { dependsOn: [task.dependsOn, remaining] } };
    });
  }

  async assignTask(id: number, workerId: string): Promise<Task> {
    const { workerId: worker } = parseWith(workerRefSchema, { workerId });
    // Pushing work to a worker that never registered is almost always a typo.
    if (!(await this.store.getWorker(worker))) throw workerNotFound(worker);
    return this.change(id, async (task, _tx, clock) => {
      assertCan(task, 'assign');
      return { type: 'assigned', patch: assignPatch(task, worker, clock), data: { worker } };
    });
  }

  // ── the worker's side ────────────────────────────────────────────────────

  async claim(request: ClaimInput): Promise<Task | null> {
    const [task] = await this.claimMany({ ...request, limit: 1 });
    return task ?? null;
  }

  async claimMany(raw: ClaimManyInput): Promise<Task[]> {
    const request = parseWith(claimManySchema, raw);
    const { workerId } = request;
    const leaseMs = (request.leaseSeconds ?? this.policy.leaseSeconds) * 1000;
    const capabilities = await this.presence.capabilitiesFor(workerId, request.capabilities);
    const deadline = Date.now() + (request.waitSeconds ?? 0) * 1000;
    // Short pauses keep pickup latency low; a waiting worker takes the write lock only when the
    // cheap read says something is ready, so idle pollers do not slow down busy writers.
    for (let pause = 5, first = true; ; pause = Math.min(pause * 2, 40), first = false) {
      // A store that can wake us (PostgreSQL NOTIFY) is asked before the claim, so a task made
      // ready while the claim runs still wakes us; such a store needs no cheap pre-check either.
      const waiting = Date.now() < deadline && this.store.waitForWork !== undefined;
      const stop = waiting ? new AbortController() : undefined;
      const signal = stop && (request.signal ? AbortSignal.any([stop.signal, request.signal]) : stop.signal);
      const woken = signal ? this.store.waitForWork?.(signal, deadline - Date.now()) : undefined;
      try {
        await this.expireLeasesSometimes();
        const worth = first || woken !== undefined || (await this.store.countTasks({ ready: true })) > 0;
        const claimed = worth ? await this.store.claim({ workerId, capabilities, leaseMs, limit: request.limit }) : [];
        if (claimed.length > 0 || Date.now() >= deadline || request.signal?.aborted) return claimed;
        await (woken ?? sleep(Math.min(pause, Math.max(1, deadline - Date.now()))));
      } finally {
        stop?.abort();
      }
    }
  }

  /**
   * Claims sweep expired leases first, but at most every EXPIRY_SWEEP_MS per instance: leases last
   * seconds, and a busy worker claiming thousands of times a second need not look each time.
   */
  private async expireLeasesSometimes(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < EXPIRY_SWEEP_MS) return;
    this.lastSweep = now;
    await this.expireLeases();
  }

  private lastSweep = 0;

  async heartbeat(id: number, raw: LeaseRef): Promise<Task> {
    const lease = parseWith(leaseRefSchema, raw);
    return this.leased(id, 'heartbeat', lease, (task, clock) => ({
      type: 'lease_renewed',
      patch: renewPatch(task, clock.now),
    }));
  }

  async reportProgress(id: number, raw: ProgressInput): Promise<Task> {
    const input = parseWith(progressSchema, raw);
    const { progress, note, step } = input;
    return this.leased(id, 'progress', input, (task, clock) => {
      const at = iso(clock.now);
      const patch: TaskPatch = { progress, ...renewPatch(task, clock.now) };
      if (note) patch.notes = [...task.notes, { at, by: input.workerId, text: note }];
      if (step) patch.checkpoints = [...task.checkpoints, { at, by: input.workerId, name: step, progress }];
      return { type: 'progress', patch };
    });
  }

  async addNote(id: number, raw: NoteInput): Promise<Task> {
    const { text, workerId = null } = parseWith(noteSchema, raw);
    const by = workerId ?? this.actor ?? 'unknown';
    return this.change(id, async (task, _tx, clock) => ({
      type: 'note_added',
      patch: { notes: [...task.notes, { at: iso(clock.now), by, text }] },
      workerId,
    }));
  }

  async complete(id: number, raw: CompleteTaskInput): Promise<Task> {
    const input = parseWith(completeSchema, raw);
    const artifacts = input.artifacts ?? [];
    return this.leased(id, 'complete', input, (task, clock) => ({
      type: 'completed',
      patch: completePatch(task, { workerId: input.workerId, result: input.result, artifacts }, clock),
    }));
  }

  async fail(id: number, raw: FailInput): Promise<Task> {
    const input = parseWith(failSchema, raw);
    const text = input.error;
    return this.leased(id, 'fail', input, (task, clock) => ({
      type: 'failed',
      patch: failPatch(task, text, clock, this.random()),
    }));
  }

  async release(id: number, raw: LeaseRef): Promise<Task> {
    const lease = parseWith(leaseRefSchema, raw);
    return this.leased(id, 'release', lease, (task, clock) => ({ type: 'released', patch: releasePatch(task, clock) }));
  }

  async review(id: number, raw: ReviewTaskInput): Promise<Task> {
    const input = parseWith(reviewSchema, raw);
    const reviewer = input.workerId;
    return this.change(id, async (task, _tx, clock) => {
      assertCan(task, 'review');
      const patch = reviewPatch(task, { ...input, reviewer }, clock);
      return { type: input.pass ? 'review_passed' : 'review_failed', patch, workerId: reviewer };
    });
  }

  async expireLeases(): Promise<number[]> {
    const now = await this.store.now();
    const ids = await this.store.expiredLeases(now, 100);
    const expired: number[] = [];
    for (const id of ids) {
      await this.store.transaction(async (tx) => {
        const task = await tx.getTask(id);
        if (task?.status !== 'executing' || !task.lease || Date.parse(task.lease.expiresAt) > tx.now) return;
        const clock = this.writer.clock(tx);
        const updated = await this.writer.apply(tx, task, {
          type: 'lease_expired',
          patch: expirePatch(task, clock),
          workerId: task.lease.owner,
          data: { worker: task.lease.owner, token: task.lease.token },
        });
        expired.push(updated.id);
      });
    }
    if (this.pushPending) await this.afterChange(null);
    return expired;
  }

  // ── breakdown (SPEC §6) ──────────────────────────────────────────────────

  async analyze(raw: number | BreakdownSubject): Promise<TaskAnalysis> {
    const target = typeof raw === 'number' ? raw : parseWith(analyzeSubjectSchema, raw);
    const task = typeof target === 'number' ? await this.getTask(target) : null;
    const { analyzeSubject } = await import('./breakdown.js');
    const ref = task ? { id: task.id, subtasks: await this.store.countTasks({ parentId: task.id }) } : null;
    return analyzeSubject(task ?? (target as BreakdownSubject), ref, this.planningContext());
  }

  async breakdown(id: number, raw: BreakdownOptions = {}): Promise<BreakdownResult> {
    const options = parseWith(breakdownOptionsSchema, raw);
    const task = await this.getTask(id);
    assertCan(task, 'breakdown');
    const prepared = await this.prepareBreakdown(task, options.planner);
    const summary = {
      dryRun: Boolean(options.dryRun),
      plan: prepared.plan,
      planner: prepared.plan.planner,
      requestedPlanner: prepared.requestedPlanner,
      fallbackReason: prepared.fallbackReason,
      warnings: prepared.warnings,
    };
    if (options.dryRun) return { ...summary, task, subtasks: [] };
    const { writePlan } = await import('./breakdown-write.js');
    const written = await this.store.transaction(async (tx) => {
      // Claimed or split by someone else while the planner thought: writePlan refuses it.
      const current = await this.writer.requireTask(tx, id);
      return writePlan(tx, current, prepared, { clock: this.writer.clock(tx), actor: this.actor });
    });
    this.notePush(written.created);
    await this.afterChange(null);
    return { ...summary, task: written.parent, subtasks: written.created };
  }

  // ── workers and the system ───────────────────────────────────────────────

  async registerWorker(input: RegisterWorkerInput): Promise<WorkerView> {
    return this.presence.register(parseWith(registerWorkerSchema, input));
  }

  async unregisterWorker(id: string): Promise<WorkerView> {
    const { workerId } = parseWith(workerRefSchema, { workerId: id });
    return this.presence.unregister(workerId);
  }

  async listWorkers(options: { available?: boolean } = {}): Promise<WorkerView[]> {
    return this.presence.list(options);
  }

  async status(): Promise<SystemStatus> {
    const { systemStatus } = await import('./status-stats.js');
    return systemStatus({ store: this.store, policy: this.policy, workers: () => this.listWorkers() });
  }

  async events(query: EventsQuery = {}): Promise<TaskEvent[]> {
    return this.store.events(parseWith(eventsQuerySchema, query));
  }

  async exportData() {
    return this.store.dump();
  }

  async importData(data: unknown): Promise<ImportSummary> {
    const dump = parseWith(dumpSchema, data, { code: 'invalid_import', what: 'file' });
    assertDumpIntegrity(dump);
    await this.store.transaction(async (tx) => {
      if (!(await tx.isEmpty())) {
        throw new BatonError('store_not_empty', `import needs an empty store; ${this.store.location} already holds data`);
      }
      await tx.load(dump);
    });
    return { tasks: dump.tasks.length, events: dump.events.length, workers: dump.workers.length };
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  // ── helpers ──────────────────────────────────────────────────────────────

  /** One transaction: read the task, let `decide` apply a core rule, write the change and its event. */
  private async change(id: number, decide: (task: Task, tx: StoreTx, clock: RuleTime) => Promise<Change>): Promise<Task> {
    const task = await this.store.transaction(async (tx) => {
      const task = await tx.getTask(id);
      if (!task) throw taskNotFound(id);
      const change = await decide(task, tx, this.writer.clock(tx));
      return this.writer.apply(tx, task, change);
    });
    return this.afterChange(task);
  }

  /**
   * Hybrid assignment: a critical task that just became ready is pushed to the best idle worker,
   * after its own transaction committed. Returns `task` as it is after any push.
   */
  private async afterChange<T extends Task | null>(task: T): Promise<T> {
    if (!this.pushPending) return task;
    this.pushPending = false;
    if (this.policy.assignment !== 'hybrid') return task;
    const { pushCriticalTasks } = await import('./hybrid-push.js');
    const pushed = await pushCriticalTasks({
      store: this.store,
      listWorkers: () => this.listWorkers(),
      assign: (id, worker) => this.assignTask(id, worker),
    });
    return (pushed.find((p) => p.id === task?.id) ?? task) as T;
  }

  private pushPending = false;

  /** A worker's write: the lease must be held, with the current token, and not expired. */
  private async leased(
    id: number,
    action: 'heartbeat' | 'progress' | 'complete' | 'fail' | 'release',
    lease: LeaseRef,
    decide: (task: Task, clock: RuleTime) => Change,
  ): Promise<Task> {
    // Every caller parsed its input (with its lease) first.
    const { workerId } = lease;
    const quick = await this.store.changeTask({
      id,
      decide: (current, { now, hasDependents }) => {
        if (!current) throw taskNotFound(id);
        assertLease(current, action, { workerId, token: lease.token, now });
        // A subtask's parent follows it and a finished task may unblock others: changes that
        // reach other rows take the full transaction below.
        if (current.parentId !== null || hasDependents) return null;
        const change = decide(current, { now, policy: this.policy });
        const event = this.writer.event(id, now, change.type, diff(current, change.patch), workerId, change.data ?? null);
        return { patch: change.patch, event };
      },
    });
    if (quick?.status === 'queued' && quick.priority === 'critical') this.pushPending = true;
    const task = quick
      ? await this.afterChange(quick)
      : await this.change(id, async (current, _tx, clock) => {
          assertLease(current, action, { workerId, token: lease.token, now: clock.now });
          return { ...decide(current, clock), workerId };
        });
    await this.presence.touch(workerId);
    return task;
  }

  private planningContext() {
    return { policy: this.policy.breakdown, registry: this.patterns, patternsFile: this.patternsFile };
  }

  private async prepareBreakdown(
    subject: BreakdownSubject & { id?: number; priority?: string; complexity?: string },
    planner?: PlannerName,
  ) {
    const { preparePlan } = await import('./breakdown.js');
    return preparePlan(subject, planner ?? this.policy.breakdown.planner, this.planningContext());
  }

  /** Critical subtasks ready at once are pushed like any critical task (hybrid assignment). */
  private notePush(created: readonly Task[]): void {
    if (created.some((t) => t.status === 'queued' && t.priority === 'critical')) this.pushPending = true;
  }
}
