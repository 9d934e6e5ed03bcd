import type { Baton } from '../app/baton.js';
import { type LeaseEvent, LeaseKeeper, leaseLostCode } from '../app/lease-keeper.js';
import { type Clock, systemClock } from '../core/clock.js';
import { clipHead, LIMITS } from '../core/limits.js';
import { redactText } from '../core/redact.js';
import type { Task } from '../core/types.js';
import { reportable, storableText } from './outcome.js';
import type { AbortReason, AttemptOutcome, Executor, WorkerEvent, WorkerEventListener } from './types.js';

export interface WorkerLoopOptions {
  id: string;
  name?: string | undefined;
  capabilities: string[];
  /** Tasks run at the same time. */
  concurrency?: number | undefined;
  /** Lease length asked for on each claim (default: the store's configured lease). */
  leaseSeconds?: number | undefined;
  /** Run one task, then stop. */
  once?: boolean | undefined;
  executor: Executor;
  host?: string | undefined;
  pid?: number | undefined;
  version?: string | undefined;
  /** How long one claim waits for work before the loop checks in again, in seconds. */
  pollSeconds?: number | undefined;
  /** After an abort, how long to wait for the executor to settle before reporting anyway, in ms. */
  settleMs?: number | undefined;
  /** After a claim fails (store or server unavailable), how long to wait before claiming again, in ms. */
  claimRetryMs?: number | undefined;
  /** Source of every time and timer of the loop and its lease keeper (default: the system clock). */
  clock?: Clock | undefined;
  onEvent?: WorkerEventListener | undefined;
}

interface Running {
  task: Task;
  token: number;
  controller: AbortController;
  startedAt: number;
  /** Latest progress not yet sent, and whether a report is in flight. */
  pending: { progress: number; step: string | null } | null;
  sending: Promise<void> | null;
}

// What the loop tells of an error reaches the worker's console and log: no store password in it.
const messageOf = (err: unknown) => redactText(err instanceof Error ? err.message : String(err));

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
  private readonly running = new Map<number, Running>();
  /** Attempts whose executor is still running: what `concurrency` bounds. */
  private executing = 0;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  /** Aborted when the loop ends: cancels the grace period still running. */
  private readonly ended = new AbortController();
  private wake: (() => void) | null = null;

  constructor(
    private readonly baton: Baton,
    private readonly options: WorkerLoopOptions,
  ) {
    this.id = options.id;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.clock = options.clock ?? systemClock;
    this.keeper = new LeaseKeeper(baton, { clock: this.clock, onEvent: (e) => this.onLease(e) });
  }

  /** Runs until stopped (or after one task with `once`); resolves once every attempt is reported. */
  async run(): Promise<void> {
    const o = this.options;
    await this.baton.registerWorker({
      id: o.id,
      name: o.name,
      capabilities: o.capabilities,
      host: o.host,
      pid: o.pid,
      concurrency: this.concurrency,
      version: o.version,
    });
    this.emit({ type: 'online', at: this.now(), workerId: o.id, capabilities: o.capabilities, concurrency: this.concurrency });
    this.keeper.start();
    try {
      await this.claimLoop();
      while (this.running.size > 0) await this.nextWake();
    } finally {
      this.ended.abort();
      await this.keeper.stop();
      await this.baton.unregisterWorker(o.id).catch((err) => this.error(null, err));
      this.emit({ type: 'stopped', at: this.now() });
    }
  }

  /**
   * Stops claiming. Running attempts may finish within `graceSeconds`; then (or at once, with 0 or
   * on a second call) they are stopped and their tasks released, so they go back to the queue now
   * rather than after their leases expire.
   */
  stop(graceSeconds = 0): void {
    if (this.stopping) {
      this.abortAll('shutdown');
      return;
    }
    this.stopping = true;
    this.stopSignal.abort();
    this.emit({ type: 'stopping', at: this.now(), graceSeconds });
    if (graceSeconds <= 0) this.abortAll('shutdown');
    else if (Number.isFinite(graceSeconds)) this.after(graceSeconds * 1000, this.ended.signal, () => this.abortAll('shutdown'));
    this.notify();
  }

  /** Task ids currently held. */
  get held(): number[] {
    return [...this.running.keys()];
  }

  private async claimLoop(): Promise<void> {
    const o = this.options;
    while (!this.stopping) {
      // A slot is free once its executor returns: the next claim need not wait for the report.
      const free = this.concurrency - this.executing;
      if (free <= 0) {
        await this.nextWake();
        // Let the other attempts that are about to finish do so, then claim for all free slots at once.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      let tasks: Task[];
      try {
        tasks = await this.baton.claimMany({
          workerId: o.id,
          limit: o.once ? 1 : free,
          leaseSeconds: o.leaseSeconds,
          waitSeconds: o.pollSeconds ?? 2,
          signal: this.stopSignal.signal,
        });
      } catch (err) {
        this.error(null, err);
        await this.clock.sleep(o.claimRetryMs ?? 1000, this.stopSignal.signal);
        continue;
      }
      if (this.stopping) {
        // Claimed while the stop came in: hand them straight back.
        await Promise.all(tasks.map((t) => this.release(t, 'worker stopping')));
        return;
      }
      for (const task of tasks) this.launch(task);
      if (o.once && tasks.length > 0) return;
    }
  }

  private launch(task: Task): void {
    const lease = task.lease;
    if (!lease) return;
    const entry: Running = {
      task,
      token: lease.token,
      controller: new AbortController(),
      startedAt: this.now(),
      pending: null,
      sending: null,
    };
    this.running.set(task.id, entry);
    this.keeper.hold(task);
    this.executing++;
    this.emit({ type: 'claimed', at: this.now(), task });
    void this.attempt(entry).finally(() => {
      this.keeper.drop(task.id);
      this.running.delete(task.id);
      this.notify();
    });
  }

  private async attempt(entry: Running): Promise<void> {
    const { task, controller } = entry;
    const executed = new AbortController();
    if (task.timeoutSeconds !== null) {
      this.after(task.timeoutSeconds * 1000, executed.signal, () => controller.abort('timeout'));
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await this.execute(entry);
    } catch (err) {
      outcome = { ok: false, error: messageOf(err) };
    } finally {
      executed.abort();
      this.executing--;
      this.notify();
    }
    // The final report must land after the last progress report, over any transport.
    while (entry.sending) await entry.sending;
    if (entry.pending) await this.flushProgress(entry);
    // The report ends the lease: a renewal landing after it would only report a lease lost.
    this.keeper.drop(task.id);
    await this.report(entry, outcome);
  }

  /** The executor's outcome, or — once aborted — whatever it has managed by `settleMs` later. */
  private execute(entry: Running): Promise<AttemptOutcome> {
    const { task, controller } = entry;
    const run = this.options.executor({
      task,
      workerId: this.id,
      signal: controller.signal,
      progress: (percent, step) => this.progress(entry, percent, step ?? null),
      note: (text) => this.note(entry, text),
    });
    const settle = this.options.settleMs ?? 5000;
    const settled = new AbortController();
    const gaveUp = new Promise<AttemptOutcome>((resolve) => {
      const onAbort = () => this.after(settle, settled.signal, () => resolve({ ok: false, error: 'aborted' }));
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true, signal: settled.signal });
    });
    return Promise.race([run, gaveUp]).finally(() => settled.abort());
  }

  private async report(entry: Running, attempted: AttemptOutcome): Promise<void> {
    const { task, token } = entry;
    const outcome = reportable(attempted);
    const reason = entry.controller.signal.reason as AbortReason | undefined;
    const lease = { workerId: this.id, token };
    const ms = this.now() - entry.startedAt;
    try {
      if (reason === 'lost') return;
      if (reason === 'shutdown') {
        await this.release(task, 'worker stopped before the task finished');
        return;
      }
      if (reason === 'timeout') {
        const error = `timed out after ${task.timeoutSeconds}s; the process group was killed`;
        const failed = await this.baton.fail(task.id, { ...lease, error });
        this.emit({ type: 'failed', at: this.now(), task: failed, error, retrying: failed.status !== 'failed', ms });
        return;
      }
      if (outcome.ok) {
        const done = await this.baton.complete(task.id, { ...lease, result: outcome.result });
        this.emit({ type: 'completed', at: this.now(), task: done, ms });
        return;
      }
      const failed = await this.baton.fail(task.id, { ...lease, error: outcome.error });
      this.emit({ type: 'failed', at: this.now(), task: failed, error: outcome.error, retrying: failed.status !== 'failed', ms });
    } catch (err) {
      if (leaseLostCode(err) !== null) this.emit({ type: 'lost', at: this.now(), taskId: task.id, reason: messageOf(err) });
      else this.error(task.id, err);
    }
  }

  private async release(task: Task, reason: string): Promise<void> {
    try {
      await this.baton.release(task.id, { workerId: this.id, token: task.lease?.token });
      this.emit({ type: 'released', at: this.now(), taskId: task.id, reason });
    } catch (err) {
      this.error(task.id, err);
    }
  }

  private progress(entry: Running, percent: number, step: string | null): void {
    const progress = Math.max(0, Math.min(100, Math.round(percent)));
    entry.pending = { progress, step: step && clipHead(storableText(step), LIMITS.stepChars) };
    this.emit({ type: 'progress', at: this.now(), taskId: entry.task.id, progress, step });
    if (!entry.sending) void this.flushProgress(entry);
  }

  /** Sends the latest progress; reports made while one is in flight collapse into the next. */
  private flushProgress(entry: Running): Promise<void> {
    entry.sending ??= this.sendProgress(entry).finally(() => {
      entry.sending = null;
    });
    return entry.sending;
  }

  private async sendProgress(entry: Running): Promise<void> {
    try {
      while (entry.pending && !entry.controller.signal.aborted) {
        const { progress, step } = entry.pending;
        entry.pending = null;
        const sentAt = this.now();
        await this.baton.reportProgress(entry.task.id, {
          workerId: this.id,
          token: entry.token,
          progress,
          ...(step && { step }),
        });
        this.keeper.touch(entry.task.id, sentAt);
      }
    } catch (err) {
      this.leaseTrouble(entry, err);
    }
  }

  private async note(entry: Running, text: string): Promise<void> {
    const sentAt = this.now();
    try {
      await this.baton.reportProgress(entry.task.id, {
        workerId: this.id,
        token: entry.token,
        progress: entry.pending?.progress ?? entry.task.progress,
        note: clipHead(storableText(text), LIMITS.noteChars),
      });
      this.keeper.touch(entry.task.id, sentAt);
    } catch (err) {
      this.leaseTrouble(entry, err);
    }
  }

  /** Renewals are the keeper's; the loop acts on what it finds. */
  private onLease(event: LeaseEvent): void {
    switch (event.type) {
      case 'renewed':
        return;
      case 'lost':
        this.lost(event.lease.taskId, event.message);
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
    this.lost(entry.task.id, messageOf(err));
  }

  /** Cancelled, expired or taken over: the work can no longer be reported, so stop doing it. */
  private lost(taskId: number, reason: string): void {
    this.running.get(taskId)?.controller.abort('lost');
    this.emit({ type: 'lost', at: this.now(), taskId, reason });
  }

  /** Runs `action` after `ms` of the loop's clock, unless `cancel` aborts first. */
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
