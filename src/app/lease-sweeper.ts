import type { Clock } from '../core/clock.js';

/** Longest a claim relies on a previous sweep of expired leases, in ms. */
const SWEEP_EVERY_MS = 100;

/**
 * Claims sweep expired leases first, but at most every SWEEP_EVERY_MS per store in this process:
 * leases last seconds, and workers claiming thousands of times a second need not each look. The
 * time of the last sweep is shared by every caller on purpose; that sharing is the point.
 *
 * One sweep runs at a time. A sweep reads and advances every running workflow run, so on a loaded
 * machine it can last longer than SWEEP_EVERY_MS; were each claim to start another meanwhile, the
 * sweeps would pile up, each slower for the others, and every claim would wait for one of them.
 */
export class LeaseSweeper {
  private lastSweep = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly clock: Clock) {}

  /** Sweeps unless a sweep started within SWEEP_EVERY_MS or is still running (claims and reads). */
  async sometimes(sweep: () => Promise<unknown>): Promise<void> {
    const now = this.clock.now();
    if (this.inFlight !== null || now - this.lastSweep < SWEEP_EVERY_MS) return;
    await this.run(sweep);
  }

  /** The sweep running now, if any: a caller that found nothing can wait for what it may bring. */
  inProgress(): Promise<unknown> | null {
    return this.inFlight;
  }

  /** Sweeps now, once the sweep in flight (if any) is over: for callers that need one made after their call. */
  async now<T>(sweep: () => Promise<T>): Promise<T> {
    while (this.inFlight !== null) await this.inFlight.catch(() => undefined);
    return this.run(sweep);
  }

  private async run<T>(sweep: () => Promise<T>): Promise<T> {
    this.lastSweep = this.clock.now();
    // Set before the first await, so no other caller can start one in between.
    const running = sweep();
    this.inFlight = running;
    try {
      return await running;
    } finally {
      if (this.inFlight === running) this.inFlight = null;
    }
  }
}
