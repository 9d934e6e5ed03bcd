import { z } from 'zod';
import { webhookAddSchema } from '../core/schemas/webhooks.js';
import { ALERT_KINDS } from '../core/webhooks.js';
import { alertsQuery, deliveriesQuery, emptyBody, idParams } from './http-schemas.js';
import { type RouteSpec, route } from './route.js';

const when = z.string().nullable();
const webhookSchema = z.strictObject({
  id: z.number(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.string(),
  failures: z.number(),
  disabledAt: when,
  disabledReason: z.string().nullable(),
});
const deliverySchema = z.strictObject({
  id: z.number(),
  hookId: z.number(),
  eventId: z.number(),
  event: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  nextAt: when,
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: when,
});
const alertSchema = z.strictObject({
  id: z.number(),
  kind: z.enum(ALERT_KINDS),
  key: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  raisedAt: z.string(),
  resolvedAt: when,
});

/** Webhooks (admin only: a hook sends the event log to a URL of the caller's choosing) and alerts (any key). */
export const webhookRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/webhooks',
    summary:
      'Add a webhook: events selected by name (task.failed, alert.*, *) are posted to the URL, signed; the secret is in the answer only',
    tag: 'webhooks',
    access: 'admin',
    status: 201,
    body: webhookAddSchema,
    response: z.strictObject({ webhook: webhookSchema, secret: z.string() }),
    handle: ({ baton, body }) => baton.addWebhook(body),
  }),
  route({
    method: 'GET',
    path: '/webhooks',
    summary: 'Every webhook, disabled ones included (never a secret)',
    tag: 'webhooks',
    access: 'admin',
    response: z.strictObject({ webhooks: z.array(webhookSchema) }),
    handle: async ({ baton }) => ({ webhooks: await baton.listWebhooks() }),
  }),
  route({
    method: 'DELETE',
    path: '/webhooks/:id',
    summary: 'Remove a webhook and its delivery log',
    tag: 'webhooks',
    access: 'admin',
    params: idParams,
    response: webhookSchema,
    handle: ({ baton, params }) => baton.removeWebhook(params.id),
  }),
  route({
    method: 'POST',
    path: '/webhooks/:id/enable',
    summary: 'Turn a disabled webhook back on: its pending deliveries go out, oldest first',
    tag: 'webhooks',
    access: 'admin',
    params: idParams,
    body: emptyBody,
    response: webhookSchema,
    handle: ({ baton, params }) => baton.enableWebhook(params.id),
  }),
  route({
    method: 'GET',
    path: '/webhooks/deliveries',
    summary: 'The delivery log, newest first: status, attempts, the receiver’s last answer (of one hook with ?hook=ID)',
    tag: 'webhooks',
    access: 'admin',
    query: deliveriesQuery,
    response: z.strictObject({ deliveries: z.array(deliverySchema) }),
    handle: async ({ baton, query }) => ({
      deliveries: await baton.webhookDeliveries({ hookId: query.hook, limit: query.limit }),
    }),
  }),
  route({
    method: 'GET',
    path: '/alerts',
    summary:
      'Alerts raised (SLA breaches, tasks failed for good, workers offline holding work, ready tasks over the threshold, failed backups), newest first',
    tag: 'webhooks',
    access: 'read',
    query: alertsQuery,
    response: z.strictObject({ alerts: z.array(alertSchema) }),
    handle: async ({ baton, query }) => ({ alerts: await baton.alerts({ open: query.open, limit: query.limit }) }),
  }),
];
