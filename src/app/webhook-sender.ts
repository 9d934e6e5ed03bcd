import { createHmac } from 'node:crypto';
import { retryDelayMs } from '../core/webhooks.js';
import type { TakenDelivery, WebhookRecord } from '../store/hooks.js';
import type { AppContext } from './context.js';
import { version } from './version.js';
import { fillOutbox } from './webhook-service.js';

/** Deliveries a hook's sender takes per transaction. */
const TAKE = 10;

/** A delivery taken is due again this long after its timeout, should its server die while sending. */
const LEASE_SLACK_MS = 5_000;

/** The signature header of a body sent at `t` (Unix seconds): `t=<t>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
}

/** HMAC-SHA256 of `data`, in hex: Baton's signatures, and GitHub's `X-Hub-Signature-256`. */
export const hmacHex = (secret: string, data: string): string => createHmac('sha256', secret).update(data).digest('hex');

interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * The server's webhook sending: one sender per hook at a time, started by `tick` and not awaited,
 * so a receiver that hangs (until the request timeout) holds up only its own hook, and claims and
 * completions never wait for any of it.
 */
export class WebhookSender {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly stopping = new AbortController();
  /** What ended a sender since the last turn (a store that went away), for the turn to report. */
  private failure: unknown = null;

  constructor(private readonly ctx: AppContext) {}

  /** Fills every active hook's outbox, then starts a sender for each hook not sending already. */
  async tick(): Promise<number> {
    const hooks = (await this.ctx.store.webhooks()).filter((h) => h.disabledAt === null);
    let queued = 0;
    for (const hook of hooks) {
      queued += await fillOutbox(this.ctx, hook.id);
      if (!this.inFlight.has(hook.id) && !this.stopping.signal.aborted) {
        const run = this.drain(hook)
          .catch((err) => {
            this.failure = err;
          })
          .finally(() => this.inFlight.delete(hook.id));
        this.inFlight.set(hook.id, run);
      }
    }
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
    return queued;
  }

  /** Aborts the requests in flight and waits for their senders to record it. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Sends the hook's due deliveries, oldest first, until none is due or the hook is disabled. */
  private async drain(hook: WebhookRecord): Promise<void> {
    const { timeoutMs } = this.ctx.maintenance.webhooks;
    while (!this.stopping.signal.aborted) {
      const taken = await this.ctx.store.transaction((tx) =>
        tx.takeDeliveries(hook.id, tx.now, tx.now + timeoutMs + LEASE_SLACK_MS, TAKE),
      );
      if (taken.length === 0) return;
      for (const d of taken) {
        const outcome = await this.send(hook, d);
        if (await this.settle(hook.id, d, outcome)) return;
      }
    }
  }

  private async send(hook: WebhookRecord, d: TakenDelivery): Promise<Outcome> {
    const t = Math.floor(this.ctx.clock.now() / 1000);
    const signal = AbortSignal.any([AbortSignal.timeout(this.ctx.maintenance.webhooks.timeoutMs), this.stopping.signal]);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `baton-webhooks/${version()}`,
          'baton-event': d.event,
          'baton-delivery': String(d.id),
          'baton-signature': signatureHeader(hook.secret, t, d.body),
        },
        body: d.body,
        signal,
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => {});
      return res.ok
        ? { ok: true, status: res.status, error: null }
        : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const error = timedOut ? `no answer within ${this.ctx.maintenance.webhooks.timeoutMs} ms` : String((err as Error).message);
      return { ok: false, status: null, error };
    }
  }

  /**
   * Records an attempt: delivered, or due again after a backoff. The hook's failures in a row
   * reaching `maxFailures` disable it, with a `webhook_disabled` event, and its deliveries wait for
   * it to be enabled; a delivery that fails `maxFailures` times while others get through (a body
   * the receiver refuses) is given up. Returns whether the hook's sending should stop.
   */
  private async settle(hookId: number, d: TakenDelivery, outcome: Outcome): Promise<boolean> {
    // A send cut short by the server stopping is no fault of the receiver: the lease runs out and it is sent again.
    if (!outcome.ok && this.stopping.signal.aborted) return true;
    return this.ctx.store.transaction(async (tx) => {
      const hook = await tx.lockWebhook(hookId, { wait: true });
      if (!hook) return true;
      const last = { lastStatus: outcome.status, lastError: outcome.error };
      if (outcome.ok) {
        await tx.updateDelivery(d.id, { ...last, status: 'delivered', nextAt: null, deliveredAt: tx.now });
        if (hook.failures > 0) await tx.updateWebhook(hookId, { failures: 0 });
        return false;
      }
      const { backoffMs, maxFailures } = this.ctx.maintenance.webhooks;
      const failures = hook.failures + 1;
      const disable = failures >= maxFailures && hook.disabledAt === null;
      const giveUp = d.attempts >= maxFailures && !disable;
      const nextAt = giveUp ? null : tx.now + retryDelayMs(d.attempts, backoffMs);
      await tx.updateDelivery(d.id, { ...last, status: giveUp ? 'failed' : 'pending', nextAt, deliveredAt: null });
      if (!disable) {
        await tx.updateWebhook(hookId, { failures });
        return !giveUp;
      }
      const disabledReason = `${failures} deliveries in a row failed; the last: ${outcome.error}`;
      await tx.updateWebhook(hookId, { failures, disabledAt: tx.now, disabledReason });
      await tx.appendEvent({
        taskId: null,
        workerId: null,
        actor: this.ctx.actor,
        type: 'webhook_disabled',
        at: new Date(tx.now).toISOString(),
        changes: {},
        data: { hookId, url: hook.url, failures, error: outcome.error },
      });
      return true;
    });
  }
}
