import type { Clock } from '../core/clock.js';

/** Longest a claim relies on a previous sweep of expired leases, in ms. */
const SWEEP_EVERY_MS = 100;

/**
 * Claims sweep expired leases first, but at most every SWEEP_EVERY_MS per store in this process:
 * leases last seconds, and workers claiming thousands of times a second need not each look. The
 * time of the last sweep is shared by every caller on purpose; that sharing is the point.
 */
export class LeaseSweeper {
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  async sometimes(sweep: () => Promise<unknown>): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await sweep();
  }
}
