import type { Baton } from '../app/baton.js';
import type { Clock } from '../core/clock.js';
import { clipHead, LIMITS } from '../core/limits.js';
import type { Task } from '../core/types.js';
import { storableText } from './outcome.js';
import { refusedForNow, retryWaitMs } from './reports.js';
import type { WorkerEvent } from './types.js';

/** One attempt the worker loop is running. */
export interface Running {
  task: Task;
  token: number;
  controller: AbortController;
  /** Aborted once the executor has returned: progress no longer waits to be sent again. */
  executed: AbortController;
  startedAt: number;
  /** Latest progress not yet sent, and whether a report is in flight. */
  pending: { progress: number; step: string | null } | null;
  sending: Promise<void> | null;
}

/** What the progress reports of an attempt need from the worker loop. */
export interface ProgressHost {
  baton: Baton;
  workerId: string;
  clock: Clock;
  /** A write sent at `sentAt` renewed the lease. */
  renewed(taskId: number, sentAt: number): void;
  /** A write that renews the lease is sent until it lands or this `write` gives up (see `persist`). */
  persist<T>(taskId: number, signal: AbortSignal, write: () => Promise<T>): Promise<T>;
  /** A report was refused: the lease may be lost. */
  refused(entry: Running, err: unknown): void;
  /** A report was refused for now and will be sent again. */
  delayed(taskId: number, err: unknown): void;
  emit(event: WorkerEvent): void;
}

/**
 * The progress reports and notes of the attempts of one worker. Progress never blocks the
 * executor: reports made while one is in flight collapse into the next. Notes are awaited.
 */
export class AttemptProgress {
  constructor(private readonly host: ProgressHost) {}

  progress(entry: Running, percent: number, step: string | null): void {
    const progress = Math.max(0, Math.min(100, Math.round(percent)));
    entry.pending = { progress, step: step && clipHead(storableText(step), LIMITS.stepChars) };
    this.host.emit({ type: 'progress', at: this.host.clock.now(), taskId: entry.task.id, progress, step });
    if (!entry.sending) void this.flush(entry);
  }

  /** Sends the latest progress, if any; settles once nothing is in flight. */
  flush(entry: Running): Promise<void> {
    entry.sending ??= this.send(entry).finally(() => {
      entry.sending = null;
    });
    return entry.sending;
  }

  /** A note refused for now is sent again with backoff while the lease lasts. */
  async note(entry: Running, text: string): Promise<void> {
    const { host } = this;
    const sentAt = host.clock.now();
    const input = {
      workerId: host.workerId,
      token: entry.token,
      progress: entry.pending?.progress ?? entry.task.progress,
      note: clipHead(storableText(text), LIMITS.noteChars),
    };
    try {
      await host.persist(entry.task.id, entry.controller.signal, () => host.baton.reportProgress(entry.task.id, input));
      host.renewed(entry.task.id, sentAt);
    } catch (err) {
      host.refused(entry, err);
    }
  }

  /**
   * Sends progress until none is pending. One refused for now is kept (unless a newer one came)
   * and sent again with backoff, until the executor returns: the final report supersedes it.
   */
  private async send(entry: Running): Promise<void> {
    const { host } = this;
    for (let failures = 0; entry.pending && !entry.controller.signal.aborted; ) {
      const sent = entry.pending;
      entry.pending = null;
      const sentAt = host.clock.now();
      try {
        await host.baton.reportProgress(entry.task.id, {
          workerId: host.workerId,
          token: entry.token,
          progress: sent.progress,
          ...(sent.step && { step: sent.step }),
        });
        host.renewed(entry.task.id, sentAt);
        failures = 0;
      } catch (err) {
        if (!refusedForNow(err) || entry.executed.signal.aborted) return host.refused(entry, err);
        host.delayed(entry.task.id, err);
        entry.pending ??= sent;
        await host.clock.sleep(retryWaitMs(++failures), AbortSignal.any([entry.controller.signal, entry.executed.signal]));
      }
    }
  }
}
