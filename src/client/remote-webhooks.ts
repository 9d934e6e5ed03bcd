import type {
  Alert,
  AlertsQuery,
  DeliveriesQuery,
  Webhook,
  WebhookAdded,
  WebhookAddInput,
  WebhookDelivery,
} from '../app/webhook-types.js';
import { alertsQuerySchema, deliveriesQuerySchema, webhookAddSchema } from '../core/schemas/webhooks.js';
import { parseWith } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's webhooks and alerts. */

export async function addWebhook(http: HttpClient, raw: WebhookAddInput): Promise<WebhookAdded> {
  return http.call('POST', '/webhooks', { body: parseWith(webhookAddSchema, raw) });
}

export async function listWebhooks(http: HttpClient): Promise<Webhook[]> {
  return (await http.call<{ webhooks: Webhook[] }>('GET', '/webhooks')).webhooks;
}

export async function removeWebhook(http: HttpClient, id: number): Promise<Webhook> {
  return http.call('DELETE', `/webhooks/${id}`);
}

export async function enableWebhook(http: HttpClient, id: number): Promise<Webhook> {
  return http.call('POST', `/webhooks/${id}/enable`, { body: {}, retry: 'always' });
}

export async function deliveries(http: HttpClient, raw: DeliveriesQuery = {}): Promise<WebhookDelivery[]> {
  const q = parseWith(deliveriesQuerySchema, raw);
  const page = await http.call<{ deliveries: WebhookDelivery[] }>('GET', '/webhooks/deliveries', {
    query: { hook: q.hookId, limit: q.limit },
  });
  return page.deliveries;
}

export async function alerts(http: HttpClient, raw: AlertsQuery = {}): Promise<Alert[]> {
  const q = parseWith(alertsQuerySchema, raw);
  return (await http.call<{ alerts: Alert[] }>('GET', '/alerts', { query: { open: q.open, limit: q.limit } })).alerts;
}
