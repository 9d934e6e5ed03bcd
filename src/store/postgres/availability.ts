import { type Clock, systemClock } from '../../core/clock.js';
import { backoffMs, connectionLost, mustRetryTransaction, poolUnusable, toStoreError } from './connection.js';

/** The longest wait between two looks at a database that is down. */
const MAX_PROBE_INTERVAL_MS = 1_000;
/** A look that gets no answer in this long counts as "still down". */
const PROBE_TIMEOUT_MS = 2_000;

export interface RetryRules {
  /** Whether the operation that failed with this lost connection cannot have taken effect. */
  repeatable: (err: unknown) => boolean;
  /** Times a transaction that lost a deadlock or serialisation race is run again (default 0). */
  races?: number | undefined;
}

/**
 * Whether the database can be reached, as the store last found out, and the retry rules that
 * follow from it. Once the pool is found unusable (connections refused or ended because the server
 * is going down, or none coming free), every operation fails at once with `store_unavailable`
 * (`store_busy`) rather than waiting on the driver, and a probe — a new pool — tries again, within
 * a second, until the database answers: callers choose how to wait (workers retry with backoff,
 * `/health` says the store is down), and no pile of statements waits on connections that may never
 * come back. A connection that merely broke is tried again while the operation cannot have taken
 * effect.
 */
export class Availability {
  private outage: { since: number; error: unknown } | null = null;
  private watching = false;
  private closed = false;
  private readonly stopWatching = new AbortController();

  constructor(
    private readonly options: {
      /** Resolves once the database answers again (through a new pool, which the store then uses). */
      probe: () => Promise<unknown>;
      location: string;
      /** How long an operation keeps trying again after a lost connection. */
      windowMs: number;
      clock?: Clock | undefined;
    },
  ) {}

  /** Whether the database is known to be down right now. */
  get down(): boolean {
    return this.outage !== null;
  }

  /** Throws `store_unavailable` while the database is known to be down. */
  check(): void {
    if (this.outage) throw toStoreError(this.outage.error, this.options.location);
  }

  /** Runs `op` under the retry rules, throwing coded errors. */
  async run<T>(op: () => Promise<T>, rules: RetryRules): Promise<T> {
    const giveUpAt = this.now() + this.options.windowMs;
    let races = 0;
    for (let attempt = 0; ; attempt++) {
      this.check();
      try {
        return await op();
      } catch (err) {
        if (mustRetryTransaction(err) && races < (rules.races ?? 0)) {
          races++;
          await this.sleep(Math.random() * 5 * races);
          continue;
        }
        this.failed(err);
        const again = connectionLost(err) && !this.down && rules.repeatable(err) && this.now() < giveUpAt;
        if (!again) throw toStoreError(err, this.options.location);
        await this.sleep(Math.min(backoffMs(attempt), Math.max(0, giveUpAt - this.now())));
      }
    }
  }

  /** Learns from a failed statement: an unusable pool means an outage, until a probe gets through. */
  failed(err: unknown): void {
    if (this.closed || !poolUnusable(err)) return;
    if (this.outage) this.outage.error = err;
    else this.outage = { since: this.now(), error: err };
    if (!this.watching) void this.watch();
  }

  close(): void {
    this.closed = true;
    this.stopWatching.abort();
  }

  /** Looks again and again, more and more slowly up to a second apart, until the database answers. */
  private async watch(): Promise<void> {
    this.watching = true;
    try {
      for (let attempt = 0; this.outage && !this.closed; attempt++) {
        await this.sleep(Math.min(MAX_PROBE_INTERVAL_MS, 50 * 2 ** attempt), this.stopWatching.signal);
        if (this.closed) return;
        try {
          await withTimeout(this.options.probe(), PROBE_TIMEOUT_MS);
          this.outage = null;
        } catch (err) {
          if (this.outage && connectionLost(err)) this.outage.error = err;
        }
      }
    } finally {
      this.watching = false;
    }
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now();
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return (this.options.clock ?? systemClock).sleep(ms, signal);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'CONNECT_TIMEOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
