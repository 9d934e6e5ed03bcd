import { randomBytes } from 'node:crypto';
import { BatonError } from '../core/errors.js';
import {
  type AlertsQuery,
  alertsQuerySchema,
  type DeliveriesQuery,
  deliveriesQuerySchema,
  type WebhookAddInput,
  webhookAddSchema,
} from '../core/schemas/webhooks.js';
import { parseWith } from '../core/schemas.js';
import type { TaskEvent } from '../core/types.js';
import { type Alert, selects, type Webhook, type WebhookDelivery, webhookEventName } from '../core/webhooks.js';
import type { NewDelivery, WebhookRecord } from '../store/hooks.js';
import type { AppContext } from './context.js';
import type { WebhookAdded } from './webhook-types.js';

/** Webhooks: adding, listing and removing hooks, their delivery log, and filling their outboxes. */

/** Events looked at per hook per turn. */
const EVENT_PAGE = 500;

export async function addWebhook(ctx: AppContext, raw: WebhookAddInput): Promise<WebhookAdded> {
  const input = parseWith(webhookAddSchema, raw);
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const events = [...new Set(input.events)];
  const record = await ctx.store.transaction((tx) =>
    tx.insertWebhook({ url: input.url, events, secret, createdAt: ctx.clock.now() }),
  );
  return { webhook: publicHook(record), secret };
}

export async function listWebhooks(ctx: AppContext): Promise<Webhook[]> {
  return (await ctx.store.webhooks()).map(publicHook);
}

export async function removeWebhook(ctx: AppContext, id: number): Promise<Webhook> {
  const hook = (await ctx.store.webhooks()).find((h) => h.id === id);
  if (!hook || !(await ctx.store.transaction((tx) => tx.deleteWebhook(id)))) throw webhookNotFound(id);
  return publicHook(hook);
}

export async function enableWebhook(ctx: AppContext, id: number): Promise<Webhook> {
  return ctx.store.transaction(async (tx) => {
    const hook = await tx.lockWebhook(id, { wait: true });
    if (!hook) throw webhookNotFound(id);
    await tx.updateWebhook(id, { failures: 0, disabledAt: null, disabledReason: null });
    return publicHook({ ...hook, failures: 0, disabledAt: null, disabledReason: null });
  });
}

export async function deliveries(ctx: AppContext, raw: DeliveriesQuery = {}): Promise<WebhookDelivery[]> {
  const query = parseWith(deliveriesQuerySchema, raw);
  if (query.hookId !== undefined && !(await ctx.store.webhooks()).some((h) => h.id === query.hookId)) {
    throw webhookNotFound(query.hookId);
  }
  return ctx.store.deliveries({ hookId: query.hookId, limit: query.limit ?? 100 });
}

export async function alerts(ctx: AppContext, raw: AlertsQuery = {}): Promise<Alert[]> {
  const query = parseWith(alertsQuerySchema, raw);
  return ctx.store.alerts({ limit: query.limit ?? 100, open: query.open });
}

/**
 * Moves a hook's cursor over the events that settled (see `settleMs`), adding a delivery for each
 * it selects, in one transaction holding the hook: of servers sharing a store, one fills a given
 * outbox at a time, and each event is queued once per hook. Returns the deliveries added.
 */
export async function fillOutbox(ctx: AppContext, hookId: number): Promise<number> {
  const { settleMs } = ctx.maintenance.webhooks;
  return ctx.store.transaction(async (tx) => {
    const hook = await tx.lockWebhook(hookId);
    if (!hook || hook.disabledAt !== null) return 0;
    const settled = tx.now - settleMs;
    const events = await ctx.store.events({ afterId: hook.cursor, limit: EVENT_PAGE });
    const ready = takeWhile(events, (e) => Date.parse(e.at) <= settled);
    if (ready.length === 0) {
      // A log replaced by a restore may end before the cursor: follow it from its end.
      const last = events.length === 0 ? await ctx.store.lastEventId() : hook.cursor;
      if (last < hook.cursor) await tx.updateWebhook(hook.id, { cursor: last });
      return 0;
    }
    const rows = ready.flatMap((e) => deliveryOf(hook, e, tx.now));
    await tx.insertDeliveries(rows);
    await tx.updateWebhook(hook.id, { cursor: (ready.at(-1) as TaskEvent).id });
    return rows.length;
  });
}

function deliveryOf(hook: WebhookRecord, event: TaskEvent, now: number): NewDelivery[] {
  const name = webhookEventName(event);
  if (!selects(hook.events, name)) return [];
  const body = JSON.stringify({ event: name, hookId: hook.id, eventId: event.id, at: event.at, data: event });
  return [{ hookId: hook.id, eventId: event.id, event: name, body, createdAt: now }];
}

function takeWhile<T>(list: readonly T[], keep: (item: T) => boolean): T[] {
  const end = list.findIndex((item) => !keep(item));
  return end === -1 ? [...list] : list.slice(0, end);
}

export function publicHook(h: WebhookRecord): Webhook {
  return {
    id: h.id,
    url: h.url,
    events: h.events,
    createdAt: h.createdAt,
    failures: h.failures,
    disabledAt: h.disabledAt,
    disabledReason: h.disabledReason,
  };
}

export function webhookNotFound(id: number): BatonError {
  return new BatonError('webhook_not_found', `webhook ${id} not found`, { id });
}
