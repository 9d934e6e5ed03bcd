import type { Alert, AlertKind, DeliveryStatus, Webhook, WebhookDelivery } from '../core/webhooks.js';

/**
 * The store's side of webhooks and alerts (migration 17): hooks with their cursor in the event
 * log, the outbox of deliveries, and alerts keyed by occurrence. Part of the `Store` and `StoreTx`
 * contracts, kept apart for their size.
 */
export interface StoreHooks {
  /** Every hook, disabled ones included, with its secret and cursor. */
  webhooks(): Promise<WebhookRecord[]>;
  /** Deliveries, newest first, of one hook or all. */
  deliveries(query: { hookId?: number | undefined; limit: number }): Promise<WebhookDelivery[]>;
  /** Alerts, newest first. */
  alerts(query: { limit: number; open?: boolean | undefined }): Promise<Alert[]>;
}

export interface HooksTx {
  /** Adds a hook whose cursor is the newest event now: it gets what happens from now on. */
  insertWebhook(hook: NewWebhook): Promise<WebhookRecord>;
  deleteWebhook(id: number): Promise<boolean>;
  /**
   * The hook, locked for this transaction; undefined when it is gone — or, on a store shared by
   * several servers, when another holds it now (that one fills its outbox; this one moves on)
   * unless `wait`.
   */
  lockWebhook(id: number, options?: { wait?: boolean }): Promise<WebhookRecord | undefined>;
  updateWebhook(id: number, patch: WebhookPatch): Promise<void>;
  insertDeliveries(rows: readonly NewDelivery[]): Promise<void>;
  /**
   * Takes up to `limit` pending deliveries of a hook due by `now` (oldest first) that no other
   * transaction holds: each gets `nextAt = leaseUntil` and one more attempt, so a server that dies
   * sending leaves it due again then, and two servers never take the same one.
   */
  takeDeliveries(hookId: number, now: number, leaseUntil: number, limit: number): Promise<TakenDelivery[]>;
  updateDelivery(id: number, patch: DeliveryPatch): Promise<void>;
  /** Removes up to `limit` deliveries made before `before` that are no longer pending; returns how many went. */
  removeDeliveries(before: number, limit: number): Promise<number>;
  /**
   * Raises an alert unless its occurrence is known: an alert of one event (`reopen: false`) once
   * per key, ever; a condition (`reopen: true`) again only after it was resolved. Null: known.
   */
  raiseAlert(alert: NewAlert, options: { reopen: boolean }): Promise<Alert | null>;
  /** Ends the open alert of `key`, if any. */
  resolveAlert(key: string, at: number): Promise<boolean>;
}

export interface WebhookRecord extends Webhook {
  secret: string;
  /** The id of the last event looked at. */
  cursor: number;
}

export interface NewWebhook {
  url: string;
  events: readonly string[];
  secret: string;
  createdAt: number;
}

export interface WebhookPatch {
  cursor?: number;
  failures?: number;
  disabledAt?: number | null;
  disabledReason?: string | null;
}

export interface NewDelivery {
  hookId: number;
  eventId: number;
  event: string;
  /** The JSON body posted. */
  body: string;
  createdAt: number;
}

export interface DeliveryPatch {
  status: DeliveryStatus;
  nextAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface TakenDelivery extends WebhookDelivery {
  body: string;
}

export interface NewAlert {
  kind: AlertKind;
  key: string;
  message: string;
  data: Record<string, unknown>;
  raisedAt: number;
}
