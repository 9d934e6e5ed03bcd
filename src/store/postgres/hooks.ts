import type { Alert, WebhookDelivery } from '../../core/webhooks.js';
import { alertOf, deliveryOf, hookOf, hookPatchColumns, takenOf } from '../hook-rows.js';
import type { DeliveryPatch, NewAlert, NewDelivery, NewWebhook, WebhookPatch, WebhookRecord } from '../hooks.js';
import type { Row } from './rows.js';
import { ident } from './sql.js';

/**
 * Webhooks, deliveries and alerts of the PostgreSQL store (migration 17). Servers sharing the
 * schema take hooks and deliveries with SKIP LOCKED: one fills a hook's outbox at a time, and a
 * delivery is taken by one of them.
 */

type Query = (text: string, params?: readonly unknown[]) => Promise<Row[]>;
const asIs = (v: unknown): unknown => v ?? null;
const pgHookOf = (r: Row): WebhookRecord => hookOf(r, asIs);

export function hookStatements(schema: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  return {
    webhooks: `SELECT * FROM ${q('webhooks')} ORDER BY id`,
    deliveries: `SELECT * FROM ${q('webhook_deliveries')} WHERE ($1::bigint IS NULL OR hook_id = $1) ORDER BY id DESC LIMIT $2`,
    alerts: `SELECT * FROM ${q('alerts')} WHERE (NOT $1::boolean OR resolved_at IS NULL) ORDER BY id DESC LIMIT $2`,
    insertWebhook: `INSERT INTO ${q('webhooks')} (url, events, secret, cursor, created_at)
      VALUES ($1, $2::text::jsonb, $3, (SELECT coalesce(max(id), 0) FROM ${q('events')}), $4) RETURNING *`,
    deleteWebhook: `DELETE FROM ${q('webhooks')} WHERE id = $1 RETURNING id`,
    lockWebhook: `SELECT * FROM ${q('webhooks')} WHERE id = $1 FOR UPDATE SKIP LOCKED`,
    waitWebhook: `SELECT * FROM ${q('webhooks')} WHERE id = $1 FOR UPDATE`,
    updateWebhook: (cols: readonly string[]) =>
      `UPDATE ${q('webhooks')} SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
    insertDeliveries: `INSERT INTO ${q('webhook_deliveries')} (hook_id, event_id, event, body, next_at, created_at)
      SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $5::bigint[]) ON CONFLICT DO NOTHING`,
    takeDeliveries: `UPDATE ${q('webhook_deliveries')} SET next_at = $3, attempts = attempts + 1
      WHERE id IN (SELECT id FROM ${q('webhook_deliveries')} WHERE hook_id = $1 AND status = 'pending' AND next_at <= $2
                   AND hook_id IN (SELECT id FROM ${q('webhooks')} WHERE disabled_at IS NULL)
                   ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    updateDelivery: `UPDATE ${q('webhook_deliveries')} SET status = $2, next_at = $3, last_status = $4, last_error = $5,
      delivered_at = $6 WHERE id = $1`,
    removeDeliveries: `DELETE FROM ${q('webhook_deliveries')} WHERE id IN (SELECT id FROM ${q('webhook_deliveries')}
      WHERE status <> 'pending' AND created_at < $1 ORDER BY id LIMIT $2) RETURNING id`,
    raiseAlert: `INSERT INTO ${q('alerts')} (kind, key, dedup_key, message, data, raised_at, resolved_at)
      VALUES ($1, $2, $2, $3, $4::text::jsonb, $5, $6) ON CONFLICT (dedup_key) DO NOTHING RETURNING *`,
    resolveAlert: `UPDATE ${q('alerts')} SET dedup_key = NULL, resolved_at = $2 WHERE dedup_key = $1 AND resolved_at IS NULL
      RETURNING id`,
  };
}

export type HookStatements = ReturnType<typeof hookStatements>;

/** The reads, on any connection. */
export const hookReads = (st: HookStatements, read: Query) => ({
  webhooks: async () => (await read(st.webhooks)).map(pgHookOf),
  deliveries: async (query: { hookId?: number | undefined; limit: number }): Promise<WebhookDelivery[]> =>
    (await read(st.deliveries, [query.hookId ?? null, query.limit])).map(deliveryOf),
  alerts: async (query: { limit: number; open?: boolean | undefined }): Promise<Alert[]> =>
    (await read(st.alerts, [query.open === true, query.limit])).map((r) => alertOf(r, asIs)),
});

/** The writes, on a transaction's connection. */
export const hookWrites = (st: HookStatements, q: Query) => ({
  insertWebhook: async (h: NewWebhook) =>
    pgHookOf((await q(st.insertWebhook, [h.url, JSON.stringify(h.events), h.secret, h.createdAt]))[0] as Row),
  deleteWebhook: async (id: number) => (await q(st.deleteWebhook, [id])).length > 0,
  lockWebhook: async (id: number, options?: { wait?: boolean }) => {
    const [row] = await q(options?.wait ? st.waitWebhook : st.lockWebhook, [id]);
    return row ? pgHookOf(row) : undefined;
  },
  updateWebhook: async (id: number, patch: WebhookPatch) => {
    const cols = hookPatchColumns(patch);
    if (cols.length > 0) await q(st.updateWebhook(cols.map(([c]) => c)), [id, ...cols.map(([, v]) => v)]);
  },
  insertDeliveries: async (rows: readonly NewDelivery[]) => {
    if (rows.length === 0) return;
    const col = <K extends keyof NewDelivery>(k: K) => rows.map((r) => r[k]);
    await q(st.insertDeliveries, [col('hookId'), col('eventId'), col('event'), col('body'), col('createdAt')]);
  },
  takeDeliveries: async (hookId: number, now: number, leaseUntil: number, limit: number) =>
    (await q(st.takeDeliveries, [hookId, now, leaseUntil, limit])).map(takenOf).sort((a, b) => a.id - b.id),
  updateDelivery: async (id: number, p: DeliveryPatch) => {
    await q(st.updateDelivery, [id, p.status, p.nextAt, p.lastStatus, p.lastError, p.deliveredAt]);
  },
  removeDeliveries: async (before: number, limit: number) => (await q(st.removeDeliveries, [before, limit])).length,
  raiseAlert: async (a: NewAlert, options: { reopen: boolean }) => {
    const params = [a.kind, a.key, a.message, JSON.stringify(a.data), a.raisedAt, options.reopen ? null : a.raisedAt];
    const [row] = await q(st.raiseAlert, params);
    return row ? alertOf(row, asIs) : null;
  },
  resolveAlert: async (key: string, at: number) => (await q(st.resolveAlert, [key, at])).length > 0,
});
