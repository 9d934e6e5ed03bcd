import type { Clock } from '../core/clock.js';

/** How often a running server looks whether a scheduled duty's period began, in ms. */
export const MAINTAIN_EVERY_MS = 60_000;

/**
 * A duty the server runs on its own, again and again on its clock: the scheduled duties (backups,
 * the retention clean-up; `MaintenanceHost.maintain`, looked at every minute), or webhooks and
 * alerts (`NotifyHost.notify`, every `webhooks.poll`). Whether a duty is due, and which of several
 * servers runs it, the store decides. One loop per duty; `stop()` ends it and waits for the turn
 * in flight.
 */
export class MaintenanceLoop {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly duty: () => Promise<unknown>,
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
        await this.duty();
      } catch (err) {
        // A store that is down now is looked at again on a later turn.
        this.onError(err);
      }
      await this.clock.sleep(this.everyMs, signal);
    }
  }
}
