import { webhookAddSchema } from '../core/schemas/webhooks.js';
import { alertsQuery, deliveriesQuery, idParams } from './http-schemas.js';
import { type RouteSpec, route } from './route.js';

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
    handle: ({ baton, body }) => baton.addWebhook(body),
  }),
  route({
    method: 'GET',
    path: '/webhooks',
    summary: 'Every webhook, disabled ones included (never a secret)',
    tag: 'webhooks',
    access: 'admin',
    handle: ({ baton }) => baton.listWebhooks(),
  }),
  route({
    method: 'DELETE',
    path: '/webhooks/:id',
    summary: 'Remove a webhook and its delivery log',
    tag: 'webhooks',
    access: 'admin',
    params: idParams,
    handle: ({ baton, params }) => baton.removeWebhook(params.id),
  }),
  route({
    method: 'GET',
    path: '/webhooks/deliveries',
    summary: 'The delivery log, newest first: status, attempts, the receiver’s last answer (of one hook with ?hook=ID)',
    tag: 'webhooks',
    access: 'admin',
    query: deliveriesQuery,
    handle: ({ baton, query }) => baton.webhookDeliveries({ hookId: query.hook, limit: query.limit }),
  }),
  route({
    method: 'GET',
    path: '/alerts',
    summary:
      'Alerts raised (SLA breaches, tasks failed for good, workers offline holding work, ready tasks over the threshold, failed backups), newest first',
    tag: 'webhooks',
    access: 'read',
    query: alertsQuery,
    handle: ({ baton, query }) => baton.alerts({ open: query.open, limit: query.limit }),
  }),
];
