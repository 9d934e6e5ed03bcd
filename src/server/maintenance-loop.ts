import type { MaintenanceHost } from '../app/baton.js';
import type { Clock } from '../core/clock.js';

/** How often a running server looks whether a scheduled duty's period began, in ms. */
export const MAINTAIN_EVERY_MS = 60_000;

/**
 * The server's scheduled duties (backups, the retention clean-up): looked at when it starts and
 * then every minute, on the server's clock. Whether a duty is due, and which of several servers
 * runs it, the store decides (`MaintenanceHost.maintain`). One loop per server; `stop()` ends it
 * and waits for the duty in flight.
 */
export class MaintenanceLoop {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly host: MaintenanceHost,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = MAINTAIN_EVERY_MS,
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
        await this.host.maintain();
      } catch (err) {
        // A store that is down now is looked at again on a later turn.
        this.onError(err);
      }
      await this.clock.sleep(this.everyMs, signal);
    }
  }
}
