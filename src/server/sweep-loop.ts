import type { Baton } from '../app/baton.js';
import type { Clock } from '../core/clock.js';

/** How often a running server sweeps what fell due by time alone, in ms (leases expire ≤ this late). */
export const SWEEP_EVERY_MS = 250;

/**
 * The server's sweep: while it runs, expired leases go back to the queue and reservations of
 * workers gone offline return to the shared queue within SWEEP_EVERY_MS, whether or not anyone
 * claims or reads. One loop per server, on the server's clock; `stop()` ends it and waits for the
 * sweep in flight.
 */
export class SweepLoop {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly baton: Baton,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = SWEEP_EVERY_MS,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.baton.expireLeases();
      } catch (err) {
        // A store that is down or full now is swept on a later turn.
        this.onError(err);
      }
      await this.clock.sleep(this.everyMs, signal);
    }
  }
}
