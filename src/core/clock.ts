/**
 * Time as a parameter. Everything that reads the time or waits for it (stores, LocalBaton, the
 * worker loop, the lease keeper, the key cache) takes a `Clock`, so tests run on controlled time
 * and a "wait of ten minutes" takes milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or at once when `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
});

/**
 * A clock that moves only when told to (`advance`, `set`): sleepers wake in order of their
 * deadlines as time passes them. For tests and simulations.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();

  constructor(startMs = Date.UTC(2030, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper = {
        at: this.current + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking every sleeper whose time has come, earliest first. */
  async advance(ms: number): Promise<void> {
    await this.set(this.current + ms);
  }

  async set(atMs: number): Promise<void> {
    if (atMs < this.current) throw new Error(`a clock does not go back (${atMs} < ${this.current})`);
    for (;;) {
      const due = [...this.sleepers].filter((s) => s.at <= atMs).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.wake();
      // Let the woken code run (and perhaps sleep again) before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = atMs;
  }

  /** How many sleepers are waiting (tests wait for a loop to be asleep before advancing). */
  get waiting(): number {
    return this.sleepers.size;
  }
}
