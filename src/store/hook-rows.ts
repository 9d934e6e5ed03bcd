import type { Alert, AlertKind, DeliveryStatus, WebhookDelivery } from '../core/webhooks.js';
import type { TakenDelivery, WebhookPatch, WebhookRecord } from './hooks.js';
import type { Row } from './task-columns.js';

/** Rows of migration 17's tables as records, for both stores (`json` reads a JSON column as the driver gives it). */

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export function hookOf(r: Row, json: (v: unknown) => unknown): WebhookRecord {
  return {
    id: Number(r.id),
    url: String(r.url),
    events: json(r.events) as string[],
    secret: String(r.secret),
    cursor: Number(r.cursor),
    failures: Number(r.failures),
    createdAt: iso(r.created_at) as string,
    disabledAt: iso(r.disabled_at),
    disabledReason: (r.disabled_reason as string | null) ?? null,
  };
}

export function deliveryOf(r: Row): WebhookDelivery {
  return {
    id: Number(r.id),
    hookId: Number(r.hook_id),
    eventId: Number(r.event_id),
    event: String(r.event),
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAt: r.status === 'pending' ? iso(r.next_at) : null,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at) as string,
    deliveredAt: iso(r.delivered_at),
  };
}

/** A delivery with the body to post. */
export const takenOf = (r: Row): TakenDelivery => ({ ...deliveryOf(r), body: String(r.body) });

export function alertOf(r: Row, json: (v: unknown) => unknown): Alert {
  return {
    id: Number(r.id),
    kind: r.kind as AlertKind,
    key: String(r.key),
    message: String(r.message),
    data: (json(r.data) as Record<string, unknown>) ?? {},
    raisedAt: iso(r.raised_at) as string,
    resolvedAt: iso(r.resolved_at),
  };
}

/** The columns a webhook patch sets, in a fixed order. */
export function hookPatchColumns(patch: WebhookPatch): [string, unknown][] {
  const cols: [string, unknown][] = [];
  if (patch.cursor !== undefined) cols.push(['cursor', patch.cursor]);
  if (patch.failures !== undefined) cols.push(['failures', patch.failures]);
  if (patch.disabledAt !== undefined) cols.push(['disabled_at', patch.disabledAt]);
  if (patch.disabledReason !== undefined) cols.push(['disabled_reason', patch.disabledReason]);
  return cols;
}
