import type { Clock } from '../core/clock.js';

/** Longest a claim relies on a previous sweep of expired leases, in ms. */
const SWEEP_EVERY_MS = 100;
/**
 * Past this, a claim waits for the sweep it starts; before it, the sweep runs beside the claim.
 * A busy worker claims many times a second: the sweep (a statement or two per kind of due work)
 * then adds nothing to any claim's latency, and an expired lease is still picked up within
 * moments — by the next claim, if not by this one.
 */
const AWAIT_AFTER_MS = 1_000;

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

  /**
   * Sweeps unless a sweep started within SWEEP_EVERY_MS or is still running (claims and reads);
   * waits for it only when the last one is older than AWAIT_AFTER_MS.
   */
  async sometimes(sweep: () => Promise<unknown>): Promise<void> {
    const now = this.clock.now();
    if (this.inFlight !== null || now - this.lastSweep < SWEEP_EVERY_MS) return;
    if (now - this.lastSweep < AWAIT_AFTER_MS) {
      // Its failure is the next waited-for sweep's to tell.
      this.run(sweep).catch(() => undefined);
      return;
    }
    await this.run(sweep);
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
