import type { Baton } from '../app/baton.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { TaskEvent } from '../core/types.js';

const BATCH = 1_000;
/**
 * How long a hole in the event ids is waited for. PostgreSQL hands out ids at insert and
 * transactions commit in any order, so id 11 can be visible before id 10; delivering 11 first
 * would let a client resume after 11 and never see 10. A hole that stays open this long is an id
 * a rolled-back transaction used and will never fill.
 */
const HOLE_WAIT_MS = 1_500;

export type FeedListener = (events: readonly TaskEvent[]) => void;

export interface EventFeedOptions {
  /** Re-read this often even without a wake-up (other processes writing a SQLite file). */
  pollMs?: number;
  clock?: Clock;
}

/**
 * The live tail of the store's events, read once per server and fanned out to every SSE client
 * and to the metrics. Delivered in id order without holes, up to `watermark`: every event with
 * an id at or below it has been delivered, and no later one will appear below it.
 */
export class EventFeed {
  /** Highest id delivered; every committed event ≤ it has been delivered (or was a dead id). */
  watermark = 0;
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stuckSince: number | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  private readonly clock: Clock;

  constructor(
    private readonly baton: Baton,
    private readonly options: EventFeedOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Starts after the newest event (history is read by clients from the log itself). */
  async start(): Promise<void> {
    this.watermark = await this.baton.latestEventId();
    const watch = this.baton.watchEvents(() => this.nudge());
    this.unsubscribe = () => watch.stop();
    const pollMs = this.options.pollMs ?? (watch.pushes ? 1_000 : 100);
    this.timer = setInterval(() => this.nudge(), pollMs);
    this.timer.unref();
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something may have been written: read now (coalesced with a read in progress). */
  nudge(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch(() => {
        // The store is unreachable for now; the next nudge or poll tries again.
      })
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Resolves once everything committed before the call has been delivered (tests, shutdown). */
  async flush(): Promise<void> {
    await this.reading;
    this.nudge();
    await this.reading;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.listeners.clear();
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const events = await this.baton.events({ afterId: this.watermark, limit: BATCH });
      const ready = this.deliverable(events);
      if (ready.length > 0) {
        this.watermark = (ready.at(-1) as TaskEvent).id;
        for (const listener of this.listeners) listener(ready);
      }
      if (events.length < BATCH || ready.length < events.length) return;
    }
  }

  /** The leading run of `events` that leaves no hole behind it. */
  private deliverable(events: readonly TaskEvent[]): TaskEvent[] {
    const out: TaskEvent[] = [];
    let expected = this.watermark + 1;
    for (const e of events) {
      if (e.id !== expected && !this.holeExpired(e, events)) {
        if (this.stuckSince === null) this.stuckSince = this.clock.now();
        setTimeout(() => this.nudge(), 50).unref();
        break;
      }
      this.stuckSince = null;
      out.push(e);
      expected = e.id + 1;
    }
    return out;
  }

  private holeExpired(next: TaskEvent, batch: readonly TaskEvent[]): boolean {
    // Judged on the writers' own clock when possible: a later event written well after the one
    // past the hole shows that the transaction holding the missing id has had its time.
    const newest = batch.at(-1) as TaskEvent;
    if (Date.parse(newest.at) - Date.parse(next.at) > HOLE_WAIT_MS) return true;
    return this.stuckSince !== null && this.clock.now() - this.stuckSince > HOLE_WAIT_MS;
  }
}
