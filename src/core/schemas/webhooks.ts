import { z } from 'zod';
import { EVENT_PATTERN } from '../webhooks.js';

/** A hook: an http(s) URL, the events it wants, and optionally the secret its bodies are signed with. */
export const webhookAddSchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
  events: z
    .array(z.string().regex(EVENT_PATTERN, 'must be an event name such as task.failed, a prefix such as alert.*, or *'))
    .min(1, 'name at least one event')
    .max(50),
  /** Made for the caller (and shown once) when not given. */
  secret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
});

export const deliveriesQuerySchema = z.strictObject({
  hookId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});

export const alertsQuerySchema = z.strictObject({
  open: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});

export type WebhookAddInput = z.input<typeof webhookAddSchema>;
export type DeliveriesQuery = z.input<typeof deliveriesQuerySchema>;
export type AlertsQuery = z.input<typeof alertsQuerySchema>;
