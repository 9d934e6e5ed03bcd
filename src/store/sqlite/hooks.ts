import type Database from 'better-sqlite3';
import type { Alert, WebhookDelivery } from '../../core/webhooks.js';
import { alertOf, deliveryOf, hookOf, hookPatchColumns, takenOf } from '../hook-rows.js';
import type { DeliveryPatch, NewAlert, NewDelivery, NewWebhook, TakenDelivery, WebhookPatch, WebhookRecord } from '../hooks.js';
import type { Row } from './rows.js';

/** Webhooks, deliveries and alerts of the SQLite store (migration 17). One writer at a time: no row locks needed. */

type Stmt = (sql: string) => Database.Statement;
const json = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));
export const sqliteHookOf = (r: Row): WebhookRecord => hookOf(r, json);

export function webhooks(stmt: Stmt): WebhookRecord[] {
  return (stmt('SELECT * FROM webhooks ORDER BY id').all() as Row[]).map(sqliteHookOf);
}

export function deliveries(stmt: Stmt, q: { hookId?: number | undefined; limit: number }): WebhookDelivery[] {
  const sql = `SELECT * FROM webhook_deliveries WHERE (@hook IS NULL OR hook_id = @hook) ORDER BY id DESC LIMIT @limit`;
  return (stmt(sql).all({ hook: q.hookId ?? null, limit: q.limit }) as Row[]).map(deliveryOf);
}

export function alerts(stmt: Stmt, q: { limit: number; open?: boolean | undefined }): Alert[] {
  const sql = `SELECT * FROM alerts WHERE (@open = 0 OR resolved_at IS NULL) ORDER BY id DESC LIMIT @limit`;
  return (stmt(sql).all({ open: q.open ? 1 : 0, limit: q.limit }) as Row[]).map((r) => alertOf(r, json));
}

export function insertWebhook(stmt: Stmt, h: NewWebhook): WebhookRecord {
  const row = stmt(
    `INSERT INTO webhooks (url, events, secret, cursor, created_at)
     VALUES (?, ?, ?, (SELECT coalesce(max(id), 0) FROM events), ?) RETURNING *`,
  ).get(h.url, JSON.stringify(h.events), h.secret, h.createdAt) as Row;
  return sqliteHookOf(row);
}

export const deleteWebhook = (stmt: Stmt, id: number): boolean => stmt('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;

export function lockWebhook(stmt: Stmt, id: number): WebhookRecord | undefined {
  const row = stmt('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
  return row ? sqliteHookOf(row) : undefined;
}

export function updateWebhook(stmt: Stmt, id: number, patch: WebhookPatch): void {
  const cols = hookPatchColumns(patch);
  if (cols.length === 0) return;
  stmt(`UPDATE webhooks SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map(([, v]) => v), id);
}

export function insertDeliveries(stmt: Stmt, rows: readonly NewDelivery[]): void {
  const insert = stmt(
    'INSERT OR IGNORE INTO webhook_deliveries (hook_id, event_id, event, body, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const d of rows) insert.run(d.hookId, d.eventId, d.event, d.body, d.createdAt, d.createdAt);
}

export function takeDeliveries(stmt: Stmt, hookId: number, now: number, leaseUntil: number, limit: number): TakenDelivery[] {
  const rows = stmt(
    `UPDATE webhook_deliveries SET next_at = @lease, attempts = attempts + 1
     WHERE id IN (SELECT id FROM webhook_deliveries WHERE hook_id = @hook AND status = 'pending' AND next_at <= @now
                  AND hook_id IN (SELECT id FROM webhooks WHERE disabled_at IS NULL)
                  ORDER BY next_at, id LIMIT @limit)
     RETURNING *`,
  ).all({ hook: hookId, now, lease: leaseUntil, limit }) as Row[];
  return rows.map(takenOf).sort((a, b) => a.id - b.id);
}

export function updateDelivery(stmt: Stmt, id: number, p: DeliveryPatch): void {
  stmt(
    `UPDATE webhook_deliveries SET status = ?, next_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?`,
  ).run(p.status, p.nextAt, p.lastStatus, p.lastError, p.deliveredAt, id);
}

export function removeDeliveries(stmt: Stmt, before: number, limit: number): number {
  const sql = `DELETE FROM webhook_deliveries WHERE id IN
    (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ? ORDER BY id LIMIT ?)`;
  return stmt(sql).run(before, limit).changes;
}

export function raiseAlert(stmt: Stmt, a: NewAlert, options: { reopen: boolean }): Alert | null {
  const row = stmt(
    `INSERT INTO alerts (kind, key, dedup_key, message, data, raised_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dedup_key) DO NOTHING RETURNING *`,
  ).get(a.kind, a.key, a.key, a.message, JSON.stringify(a.data), a.raisedAt, options.reopen ? null : a.raisedAt) as
    | Row
    | undefined;
  return row ? alertOf(row, json) : null;
}

export function resolveAlert(stmt: Stmt, key: string, at: number): boolean {
  const sql = 'UPDATE alerts SET dedup_key = NULL, resolved_at = ? WHERE dedup_key = ? AND resolved_at IS NULL';
  return stmt(sql).run(at, key).changes > 0;
}
