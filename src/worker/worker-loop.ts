import { setMaxListeners } from 'node:events';
import type { Baton } from '../app/baton.js';
import { type LeaseEvent, LeaseKeeper, leaseLostCode } from '../app/lease-keeper.js';
import { type Clock, systemClock } from '../core/clock.js';
import { isBatonError } from '../core/errors.js';
import type { Task } from '../core/types.js';
import { AttemptProgress, type Running } from './attempt-progress.js';
import { reportable } from './outcome.js';
import { messageOf, persist, retryWaitMs, settles } from './reports.js';
import type { AbortReason, AttemptOutcome, WorkerEvent, WorkerLoopOptions } from './types.js';
import { ProcessUsage } from './usage.js';

export type { WorkerLoopOptions } from './types.js';

/** How often a worker reads whether its leases still stand: a paused task stops within about this long. */
const LEASE_CHECK_MS = 1_000;

/**
 * The reason given when a controller is aborted because what it guarded is over: a plain value,
 * since `abort()` without one builds a DOMException (and its stack) per attempt.
 */
const SETTLED = 'settled';

/** The longest a stopping worker waits for its last lease renewals and its goodbye. */
const STOP_WAIT_MS = 5_000;

/** How often a worker sends its own heartbeat, with the memory and CPU its process uses. */
const USAGE_EVERY_MS = 10_000;

/**
 * The worker loop: register, then claim the best task this worker can do, run it with the
 * executor, report, repeat — while renewing the leases it holds. It talks to the store only
 * through the `Baton` interface, so it runs unchanged in process or over HTTP.
 */
export class WorkerLoop {
  readonly id: string;
  private readonly concurrency: number;
  private readonly clock: Clock;
  /** Renews the lease of every running attempt, until its final report. */
  private readonly keeper: LeaseKeeper;
  /** Every task held: running, reporting, or claimed ahead and waiting here (`buffered`). */
  private readonly running = new Map<number, Running>();
  /** Attempts whose executor is still running: what `concurrency` bounds. */
  private executing = 0;
  /** How many tasks may wait here, claimed ahead of a free slot (see `prefetch`). */
  private readonly prefetch: number;
  /** Tasks claimed ahead, oldest first: leased and renewed, not started. */
  private readonly buffered: Running[] = [];
  private stopping = false;
  private readonly stopSignal = new AbortController();
  /** Aborted when the loop ends: cancels the grace period still running. */
  private readonly ended = new AbortController();
  /** Aborted when the worker must leave now: writes refused for now are no longer tried again. */
  private readonly hurry = new AbortController();
  private wake: (() => void) | null = null;
  /** Another process took this worker id over: this one stops, and leaves the registration to it. */
  private replaced: Error | null = null;
  private readonly reports: AttemptProgress;

  constructor(
    private readonly baton: Baton,
    private readonly options: WorkerLoopOptions,
  ) {
    this.id = options.id;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.prefetch = options.once ? 0 : Math.max(0, options.prefetch ?? 0);
    this.clock = options.clock ?? systemClock;
    // Every running attempt waits on these (reports retried, claims long-polling): as many
    // listeners as the concurrency, by design, so Node's leak warning past 10 does not apply.
    for (const c of [this.stopSignal, this.ended, this.hurry]) setMaxListeners(0, c.signal);
    this.keeper = new LeaseKeeper(baton, {
      clock: this.clock,
      checkMs: options.leaseCheckMs ?? LEASE_CHECK_MS,
      onEvent: (e) => this.onLease(e),
    });
    this.reports = new AttemptProgress({
      baton,
      workerId: this.id,
      clock: this.clock,
      renewed: (taskId, sentAt) => this.keeper.touch(taskId, sentAt),
      persist: (taskId, signal, write) => this.persist(taskId, this.leaseEnd(taskId), signal, write),
      refused: (entry, err) => this.leaseTrouble(entry, err),
      delayed: (taskId, err) => this.error(taskId, err),
      emit: (event) => this.emit(event),
    });
  }

  /** Runs until stopped (or after one task with `once`); resolves once every attempt is reported. */
  async run(): Promise<void> {
    const o = this.options;
    const { id, name, capabilities, host, pid, version } = o;
    const replace = o.replace ? { replace: true } : {};
    const breaker = o.breaker !== undefined ? { breaker: o.breaker } : {};
    const registration = { id, name, capabilities, host, pid, concurrency: this.concurrency, version, ...replace, ...breaker };
    // A worker started while the store restarts waits for it, as a running one does.
    await persist(() => this.baton.registerWorker(registration), {
      clock: this.clock,
      until: Number.POSITIVE_INFINITY,
      signal: this.stopSignal.signal,
      onRetry: (err) => this.error(null, err),
    });
    this.emit({ type: 'online', at: this.now(), workerId: o.id, capabilities: o.capabilities, concurrency: this.concurrency });
    this.keeper.start();
    void this.heartbeats();
    try {
      await this.claimLoop();
      await this.releaseBuffered();
      while (this.running.size > 0) await this.nextWake();
    } finally {
      this.ended.abort();
      // Neither may hold up a worker asked to stop: a renewal or a goodbye can wait on a store
      // that is down, and the worker goes offline by itself once its heartbeats stop.
      await this.bounded(this.keeper.stop());
      if (!this.replaced) await this.bounded(this.baton.unregisterWorker(o.id).catch((err) => this.error(null, err)));
      this.emit({ type: 'stopped', at: this.now() });
    }
    // The process ends with the reason (the CLI exits non-zero), after its running tasks finished.
    if (this.replaced) throw this.replaced;
  }

  /**
   * Stops claiming. Running attempts may finish within `graceSeconds`; then (or at once, with 0 or
   * on a second call) they are stopped and their tasks released, so they go back to the queue now
   * rather than after their leases expire.
   */
  stop(graceSeconds = 0): void {
    if (this.stopping) {
      this.leaveNow();
      return;
    }
    this.stopping = true;
    this.stopSignal.abort();
    this.emit({ type: 'stopping', at: this.now(), graceSeconds });
    if (graceSeconds <= 0) this.leaveNow();
    else if (Number.isFinite(graceSeconds)) this.after(graceSeconds * 1000, this.ended.signal, () => this.leaveNow());
    this.notify();
  }

  /** Task ids currently held. */
  get held(): number[] {
    return [...this.running.keys()];
  }

  private async claimLoop(): Promise<void> {
    const o = this.options;
    for (let failures = 0; !this.stopping; ) {
      this.startBuffered();
      // A slot is free once its executor returns: the next claim need not wait for the report.
      const room = this.concurrency + this.prefetch - this.executing - this.buffered.length;
      if (room <= 0) {
        await this.nextWake();
        // Let the other attempts that are about to finish do so, then claim for all free slots at once.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // Every slot is busy: the claim only fills the buffer, and does not wait for work to come.
      const topUp = this.executing >= this.concurrency;
      let tasks: Task[];
      try {
        tasks = await this.baton.claimMany({
          workerId: o.id,
          limit: o.once ? 1 : room,
          leaseSeconds: o.leaseSeconds,
          waitSeconds: topUp && this.buffered.length > 0 ? 0 : (o.pollSeconds ?? 2),
          ...(o.withCommand && { withCommand: true }),
          ...(o.queues && { queues: o.queues }),
          host: o.host,
          pid: o.pid,
          signal: this.stopSignal.signal,
        });
      } catch (err) {
        this.error(null, err);
        if (isBatonError(err) && err.code === 'worker_replaced') {
          this.replaced = err;
          this.stop(Number.POSITIVE_INFINITY);
          return;
        }
        failures++;
        await this.clock.sleep(o.claimRetryMs ?? retryWaitMs(failures), this.stopSignal.signal);
        continue;
      }
      failures = 0;
      if (this.stopping) {
        // Claimed while the stop came in: hand them straight back.
        await Promise.all(tasks.map((t) => this.release(t, 'worker stopping')));
        return;
      }
      for (const task of tasks) {
        const entry = this.hold(task);
        if (!entry) continue;
        if (this.executing < this.concurrency && this.buffered.length === 0) this.begin(entry);
        else this.buffered.push(entry);
      }
      if (o.once && tasks.length > 0) return;
      // Nothing more to take, and nothing can start until a slot frees.
      if (tasks.length === 0 && this.buffered.length > 0 && this.executing >= this.concurrency) await this.nextWake();
    }
  }

  /** A task just claimed, now held: its lease renewed from now on. */
  private hold(task: Task): Running | null {
    const lease = task.lease;
    if (!lease) return null;
    const entry: Running = {
      task,
      token: lease.token,
      controller: new AbortController(),
      executed: new AbortController(),
      startedAt: this.now(),
      pending: null,
      sending: null,
    };
    this.running.set(task.id, entry);
    this.keeper.hold(task);
    this.emit({ type: 'claimed', at: this.now(), task });
    return entry;
  }

  /** Starts tasks claimed ahead while slots are free; one whose lease was lost meanwhile is dropped. */
  private startBuffered(): void {
    while (this.executing < this.concurrency && this.buffered.length > 0) {
      const entry = this.buffered.shift() as Running;
      if (entry.controller.signal.aborted) {
        this.forget(entry.task.id);
        continue;
      }
      entry.startedAt = this.now();
      this.begin(entry);
    }
  }

  /** Hands back the tasks claimed ahead that never started (the worker is stopping). */
  private async releaseBuffered(): Promise<void> {
    const waiting = this.buffered.splice(0);
    await Promise.all(
      waiting.map(async ({ task, controller }) => {
        this.keeper.drop(task.id);
        const reason = controller.signal.reason as AbortReason | undefined;
        if (reason !== 'lost' && reason !== 'paused') await this.release(task, 'worker stopped before the task started');
        this.forget(task.id);
      }),
    );
  }

  private forget(taskId: number): void {
    this.keeper.drop(taskId);
    this.running.delete(taskId);
    this.notify();
  }

  private begin(entry: Running): void {
    this.executing++;
    void this.attempt(entry).finally(() => this.forget(entry.task.id));
  }

  private async attempt(entry: Running): Promise<void> {
    const { task, controller, executed } = entry;
    if (task.timeoutSeconds !== null) {
      this.after(task.timeoutSeconds * 1000, executed.signal, () => controller.abort('timeout'));
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await this.execute(entry);
    } catch (err) {
      outcome = { ok: false, error: messageOf(err) };
    } finally {
      executed.abort(SETTLED);
      this.executing--;
      this.notify();
    }
    // The final report must land after the last progress report, over any transport; a worker
    // that must leave waits for that a moment at most.
    const leaving = { clock: this.clock, signal: this.hurry.signal };
    while (entry.sending) if (!(await settles(entry.sending, leaving))) break;
    if (entry.pending && !entry.sending) await settles(this.reports.flush(entry), leaving);
    // The report ends the lease: a renewal landing after it would only report a lease lost.
    const until = this.leaseEnd(task.id);
    this.keeper.drop(task.id);
    await this.report(entry, outcome, until);
  }

  /** The executor's outcome, or — once aborted — whatever it has managed by `settleMs` later. */
  private execute(entry: Running): Promise<AttemptOutcome> {
    const { task, controller } = entry;
    const run = this.options.executor({
      task,
      workerId: this.id,
      signal: controller.signal,
      progress: (percent, step) => this.reports.progress(entry, percent, step ?? null),
      note: (text) => this.reports.note(entry, text),
    });
    const settle = this.options.settleMs ?? 5000;
    // Most attempts are never aborted: the give-up timer and its canceller exist only once one is.
    let settled: AbortController | undefined;
    let onAbort = () => {};
    const gaveUp = new Promise<AttemptOutcome>((resolve) => {
      onAbort = () => {
        settled = new AbortController();
        this.after(settle, settled.signal, () => resolve({ ok: false, error: 'aborted' }));
      };
    });
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
    return Promise.race([run, gaveUp]).finally(() => {
      controller.signal.removeEventListener('abort', onAbort);
      settled?.abort(SETTLED);
    });
  }

  /**
   * Reports the attempt. A report refused for now (the store restarting) is sent again with
   * backoff until the lease runs out (`until`) or the worker must leave.
   */
  private async report(entry: Running, attempted: AttemptOutcome, until: number): Promise<void> {
    const { task, token } = entry;
    const send = <T>(write: () => Promise<T>) => this.persist(task.id, until, this.hurry.signal, write);
    const outcome = reportable(attempted);
    const reason = entry.controller.signal.reason as AbortReason | undefined;
    const lease = { workerId: this.id, token };
    const ms = this.now() - entry.startedAt;
    try {
      if (reason === 'lost' || reason === 'paused') return;
      if (reason === 'shutdown') {
        await this.release(task, 'worker stopped before the task finished', send);
        return;
      }
      if (reason === 'timeout') {
        const error = `timed out after ${task.timeoutSeconds}s; the process group was killed`;
        const failed = await send(() => this.baton.fail(task.id, { ...lease, error }));
        this.emit({ type: 'failed', at: this.now(), task: failed, error, retrying: failed.status !== 'failed', ms });
        return;
      }
      if (outcome.ok) {
        const done = await send(() => this.baton.complete(task.id, { ...lease, result: outcome.result }));
        this.emit({ type: 'completed', at: this.now(), task: done, ms });
        return;
      }
      const failed = await send(() => this.baton.fail(task.id, { ...lease, error: outcome.error }));
      this.emit({ type: 'failed', at: this.now(), task: failed, error: outcome.error, retrying: failed.status !== 'failed', ms });
    } catch (err) {
      if (leaseLostCode(err) !== null) this.emit({ type: 'lost', at: this.now(), taskId: task.id, reason: messageOf(err) });
      else this.error(task.id, err);
    }
  }

  private async release(task: Task, reason: string, send = <T>(write: () => Promise<T>) => write()): Promise<void> {
    try {
      await send(() => this.baton.release(task.id, { workerId: this.id, token: task.lease?.token }));
      this.emit({ type: 'released', at: this.now(), taskId: task.id, reason });
    } catch (err) {
      this.error(task.id, err);
    }
  }

  /** `persist` for a write about one task, telling of each refusal. */
  private persist<T>(taskId: number, until: number, signal: AbortSignal, write: () => Promise<T>): Promise<T> {
    return persist(write, { clock: this.clock, until, signal, onRetry: (err) => this.error(taskId, err) });
  }

  /** When the lease of `taskId` runs out, as far as this worker knows (now, if it holds none). */
  private leaseEnd(taskId: number): number {
    return this.keeper.lease(taskId)?.expiresAt ?? this.now();
  }

  /** Renewals are the keeper's; the loop acts on what it finds. */
  private onLease(event: LeaseEvent): void {
    switch (event.type) {
      case 'renewed':
        return;
      case 'lost':
        this.lost(event.lease.taskId, event.message, event.code === 'task_paused');
        return;
      case 'failed':
        // The keeper keeps the lease and tries again; the attempt runs on.
        this.error(event.lease.taskId, event.message);
        return;
      default: {
        const never: never = event;
        throw new Error(`unknown lease event ${JSON.stringify(never)}`);
      }
    }
  }

  /** A progress report or note was refused: a lost lease stops the attempt, anything else is only told. */
  private leaseTrouble(entry: Running, err: unknown): void {
    if (leaseLostCode(err) === null) {
      this.error(entry.task.id, err);
      return;
    }
    this.keeper.drop(entry.task.id);
    this.lost(entry.task.id, messageOf(err), leaseLostCode(err) === 'task_paused');
  }

  /** Paused, cancelled, expired or taken over: the work can no longer be reported, so stop doing it. */
  private lost(taskId: number, reason: string, paused: boolean): void {
    this.running.get(taskId)?.controller.abort(paused ? 'paused' : 'lost');
    this.emit(paused ? { type: 'paused', at: this.now(), taskId } : { type: 'lost', at: this.now(), taskId, reason });
  }

  /** Runs `action` after `ms` of the loop's clock, unless `cancel` aborts first. */
  /**
   * The worker's own heartbeat, until the loop ends: keeps it online while it waits, and tells what
   * its process uses. A heartbeat that fails is not retried: the next one comes soon, and claims and
   * lease renewals report a store that is down.
   */
  private async heartbeats(): Promise<void> {
    const usage = new ProcessUsage();
    const every = this.options.heartbeatMs ?? USAGE_EVERY_MS;
    // The first one soon, so a worker just started shows what it uses.
    for (let wait = Math.min(1_000, every); !this.ended.signal.aborted; wait = every) {
      await this.clock.sleep(wait, this.ended.signal);
      if (this.ended.signal.aborted || this.replaced) return;
      await this.baton.heartbeatWorker({ workerId: this.id, usage: usage.sample() }).catch(() => undefined);
    }
  }

  private after(ms: number, cancel: AbortSignal, action: () => void): void {
    void this.clock.sleep(ms, cancel).then(() => {
      if (!cancel.aborted) action();
    });
  }

  private now(): number {
    return this.clock.now();
  }

  private abortAll(reason: AbortReason): void {
    for (const entry of this.running.values()) entry.controller.abort(reason);
  }

  /** Stops every attempt and every retry: the worker leaves as soon as each write was tried once. */
  private leaveNow(): void {
    this.hurry.abort();
    this.abortAll('shutdown');
  }

  /** `promise`, given up on once the worker must leave now or after `STOP_WAIT_MS`. */
  private async bounded(promise: Promise<unknown>): Promise<void> {
    const gaveUp = new AbortController();
    const signal = AbortSignal.any([this.hurry.signal, gaveUp.signal]);
    await Promise.race([promise, this.clock.sleep(STOP_WAIT_MS, signal)]);
    gaveUp.abort();
  }

  private nextWake(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private error(taskId: number | null, err: unknown): void {
    this.emit({ type: 'error', at: this.now(), taskId, error: messageOf(err) });
  }

  private emit(event: WorkerEvent): void {
    this.options.onEvent?.(event);
  }
}
