import type { PauseInput, PauseView, QueueInfo, QueuePause } from '../core/queues.js';

/** System pauses and named queues: the `Baton` calls and their answer (`core/queues.ts`). */

export type { PauseInput, PauseView, QueueInfo, QueuePause };

export interface QueueCalls {
  /**
   * Stops claims: of one queue, or (without one) of every queue. Workers keep asking and get
   * nothing (a long-poll keeps waiting); tasks already executing keep running and may finish.
   * Kept in the store: it survives restarts and holds for every process and replica.
   */
  pauseClaims(input?: PauseInput): Promise<QueuesReport>;
  /** Lifts the pause of one queue, or (without one) the system's; a queue paused by its own pause stays so. */
  resumeClaims(input?: PauseInput): Promise<QueuesReport>;
  /** The pauses, the caps in force, and every queue with open tasks or settings: depth, executing, oldest wait, SLA breaches. */
  queues(): Promise<QueuesReport>;
}

export interface QueuesReport {
  /** Whether the whole system's claims are paused. */
  paused: boolean;
  /** `queue` null: the whole system's pause. */
  pauses: PauseView[];
  /** `limits.maxExecuting` (null: no store-wide cap). */
  maxExecuting: number | null;
  /** Leased tasks executing, in all queues. */
  executing: number;
  queues: QueueInfo[];
  at: string;
}
