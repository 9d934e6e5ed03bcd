import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Baton } from '../app/baton.js';
import type { Clock } from '../core/clock.js';
import type { Task } from '../core/types.js';
import type { WorkerEventListener } from './types.js';
import { WorkerLoop } from './worker-loop.js';

/** What a handler gets besides the task. */
export interface HandlerContext {
  workerId: string;
  /** Fencing token of this attempt. */
  token: number;
  /** Aborted when the attempt must stop: timeout, pause, lost lease, or the worker closing (`signal.reason` says which). */
  signal: AbortSignal;
  /** Reports progress 0–100 (coalesced; renews the lease). */
  progress(percent: number, step?: string): void;
  note(text: string): Promise<void>;
}

/** Returns the task's result (any JSON value); throwing fails the attempt with the error's message. */
export type TaskHandler = (task: Task, ctx: HandlerContext) => unknown;

export interface WorkOptions {
  handler: TaskHandler;
  /** Worker id (default: generated from host and pid). */
  id?: string | undefined;
  name?: string | undefined;
  capabilities?: string[] | undefined;
  /** Handlers running at the same time (default 1). */
  concurrency?: number | undefined;
  /** Tasks claimed ahead of a free handler slot (default 0; see `WorkerLoopOptions.prefetch`). */
  prefetch?: number | undefined;
  leaseSeconds?: number | undefined;
  /** How long one claim waits for work, in seconds (default 2). */
  pollSeconds?: number | undefined;
  onEvent?: WorkerEventListener | undefined;
  /** Source of the worker's times and timers: lease renewals, timeouts, grace (default: the system clock). */
  clock?: Clock | undefined;
}

/** A running JS worker; `close()` stops it. */
export interface BatonWorker {
  readonly id: string;
  /** Settles when the worker has stopped (rejects if it could not start). */
  readonly closed: Promise<void>;
  /**
   * Stops claiming and waits for running handlers. With `graceSeconds`, handlers still running
   * after that long are aborted and their tasks released to the queue.
   */
  close(options?: { graceSeconds?: number }): Promise<void>;
}

/**
 * Starts a worker in this process that runs `handler` for each task it claims — the library
 * counterpart of `baton worker`:
 *
 * ```ts
 * const worker = work(baton, { capabilities: ['email'], concurrency: 8, handler: async (task) => send(task.input) });
 * // …
 * await worker.close();
 * ```
 */
export function work(baton: Baton, options: WorkOptions): BatonWorker {
  const id = options.id ?? `js-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const loop = new WorkerLoop(baton, {
    id,
    name: options.name,
    capabilities: options.capabilities ?? [],
    concurrency: options.concurrency,
    prefetch: options.prefetch,
    leaseSeconds: options.leaseSeconds,
    pollSeconds: options.pollSeconds,
    host: hostname(),
    pid: process.pid,
    // A handler that ignores its abort signal is left behind rather than waited for.
    settleMs: 0,
    onEvent: options.onEvent,
    clock: options.clock,
    executor: async (ctx) => {
      try {
        const result = await options.handler(ctx.task, {
          workerId: ctx.workerId,
          token: ctx.task.lease?.token ?? 0,
          signal: ctx.signal,
          progress: ctx.progress,
          note: ctx.note,
        });
        return result === undefined ? { ok: true } : { ok: true, result };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message || err.name : String(err) };
      }
    },
  });
  const closed = loop.run();
  closed.catch(() => undefined);
  return {
    id,
    closed,
    async close(closeOptions = {}) {
      loop.stop(closeOptions.graceSeconds ?? Number.POSITIVE_INFINITY);
      await closed;
    },
  };
}
