import { type Clock, systemClock } from '../../core/clock.js';
import type { Sql } from './connection.js';

/** The shortest sleep when something is already due, so a stuck due time cannot spin a loop. */
const MIN_DUE_WAIT_MS = 25;
/** How long a waiter waits before it looks up when the next delayed task or lease falls due. */
const DUE_LOOKUP_DELAY_MS = 20;
/** The reason a wait's timers are cancelled with (`abort()` alone builds a DOMException per wait). */
const ENDED = 'ended';
/** Poll interval where notifications cannot arrive (behind a transaction-mode pooler). */
export const POLL_MS = 100;

export interface WakeUpSource {
  /**
   * Milliseconds until a delayed task falls due or a lease runs out, if any; negative when a task
   * fell due in the last `sinceMs` (the waiter began before it, so must look again).
   */
  nextDueInMs(sinceMs: number): Promise<number | null>;
}

/**
 * Idle claimers sleep here until PostgreSQL says a task became ready (NOTIFY from the `tasks`
 * triggers), the next delayed task or lease falls due, the timeout passes or the caller aborts.
 * One LISTEN connection serves every waiter of the store. The driver re-listens after a lost
 * connection; every (re)listen wakes all waiters, since notifications sent meanwhile are lost.
 */
export class WakeUps {
  private readonly waiters = new Set<() => void>();
  private listening: Promise<unknown> | null = null;
  private closed = false;
  private readonly eventListeners = new Set<(lastEventId: number) => void>();
  private eventsListening: Promise<unknown> | null = null;

  constructor(
    private sql: Sql,
    private readonly schema: string,
    private readonly source: WakeUpSource,
    private readonly canListen: boolean,
    private readonly clock: Clock = systemClock,
  ) {}

  wait(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    if (signal?.aborted || timeoutMs <= 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // Aborts the timer armed last, and the due-time lookup; re-arming replaces the timer.
      let timer: AbortController | undefined;
      const lookUp = new AbortController();
      const done = () => {
        timer?.abort(ENDED);
        lookUp.abort(ENDED);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const arm = (ms: number) => {
        timer?.abort(ENDED);
        const own = new AbortController();
        timer = own;
        void this.clock.sleep(Math.max(0, ms), own.signal).then(() => {
          if (!own.signal.aborted) done();
        });
      };
      signal?.addEventListener('abort', done, { once: true });
      if (!this.canListen) return arm(Math.min(timeoutMs, POLL_MS));
      this.waiters.add(done);
      arm(timeoutMs);
      this.ensureListening();
      // Most waits end within milliseconds (the claim they cover found work), so the due time is
      // looked up only by a waiter still waiting a moment later; it is then armed from that moment.
      const startedAt = this.clock.now();
      void this.clock.sleep(DUE_LOOKUP_DELAY_MS, lookUp.signal).then(() => {
        if (lookUp.signal.aborted || !this.waiters.has(done)) return;
        this.source.nextDueInMs(this.clock.now() - startedAt).then(
          (due) => {
            const left = timeoutMs - (this.clock.now() - startedAt);
            if (due !== null && due < left && this.waiters.has(done)) arm(Math.max(MIN_DUE_WAIT_MS, due));
          },
          () => {},
        );
      });
    });
  }

  /** Calls `listener` with the newest event id whenever events are appended, by any process. */
  onEvents(listener: (lastEventId: number) => void): () => void {
    this.eventListeners.add(listener);
    this.listenForEvents();
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Listens on `sql` from now on: the store's new pool after an outage (the old one, and its
   * LISTEN, are ended). Notifications sent meanwhile are lost, so every waiter looks again.
   */
  reconnected(sql: Sql): void {
    this.sql = sql;
    this.listening = null;
    this.eventsListening = null;
    if (this.eventListeners.size > 0) this.listenForEvents();
    this.wakeAll();
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w();
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  private listenForEvents(): void {
    if (!this.canListen || this.eventsListening) return;
    this.eventsListening = this.sql
      .listen(`${this.schema}.baton_events`, (payload) => {
        for (const l of this.eventListeners) l(Number(payload));
      })
      .catch(() => {
        this.eventsListening = null;
      });
  }

  private ensureListening(): void {
    if (this.listening) return;
    this.listening = this.sql
      .listen(
        `${this.schema}.baton_ready`,
        () => this.wakeAll(),
        () => this.wakeAll(),
      )
      .catch(() => {
        // Unreachable for now: waiters fall back to their timeouts; the next wait tries again.
        this.listening = null;
      });
  }
}
