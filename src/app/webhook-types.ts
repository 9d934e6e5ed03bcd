import type { AlertsQuery, DeliveriesQuery, WebhookAddInput } from '../core/schemas/webhooks.js';
import type { Alert, Webhook, WebhookDelivery } from '../core/webhooks.js';

/** Webhooks and alerts: the `Baton` calls and their answers. */

export type { Alert, AlertsQuery, DeliveriesQuery, Webhook, WebhookAddInput, WebhookDelivery };

export interface WebhookCalls {
  /**
   * Adds a hook: events from now on whose names it selects are posted to its URL, signed with its
   * secret (made here when not given; in the answer only).
   */
  addWebhook(input: WebhookAddInput): Promise<WebhookAdded>;
  /** Every hook, disabled ones included; never a secret. */
  listWebhooks(): Promise<Webhook[]>;
  /** Turns a disabled hook back on: its pending deliveries go out, oldest first. */
  enableWebhook(id: number): Promise<Webhook>;
  /** Removes a hook with its delivery log. */
  removeWebhook(id: number): Promise<Webhook>;
  /** The delivery log, newest first (of one hook, or all). */
  webhookDeliveries(query?: DeliveriesQuery): Promise<WebhookDelivery[]>;
  /** Alerts raised, newest first (with `open`, only those whose condition still holds). */
  alerts(query?: AlertsQuery): Promise<Alert[]>;
}

export interface WebhookAdded {
  webhook: Webhook;
  /** The signing secret: shown once. */
  secret: string;
}

/** What a server does on its own for webhooks and alerts. */
export interface NotifyHost {
  /**
   * Raises the alerts that fell due (when their period began), fills each hook's outbox from the
   * event log and starts sending what is due — without waiting for a receiver: a slow one holds
   * up only its own hook. `stopNotify` ends the sends in flight.
   */
  notify(): Promise<NotifyTick>;
  /** How often a server calls `notify` (ms; the config's `webhooks.poll`). */
  readonly notifyEveryMs: number;
  stopNotify(): Promise<void>;
}

export interface NotifyTick {
  /** Alerts raised by this server on this turn. */
  alerts: Alert[];
  /** Deliveries added to outboxes. */
  queued: number;
}
