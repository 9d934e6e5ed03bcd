import type { FastifyInstance } from 'fastify';
import type { Baton } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import { parseWith } from '../core/schemas.js';
import { type AuthOptions, stillAdmitted } from './auth.js';
import { SECURITY_HEADERS } from './errors.js';
import type { EventFeed } from './event-feed.js';
import { streamQuery } from './http-schemas.js';
import type { Metrics } from './metrics.js';
import type { StreamHub } from './sse.js';

export interface EventsOptions {
  baton: Baton;
  feed: EventFeed;
  streams: StreamHub;
  metrics: Metrics;
  /** Asked again while a stream is open: a revoked key, or keys where there were none, ends it. */
  auth: AuthOptions;
}

/** `/api/v1/events` (Server-Sent Events, or the history as JSON) and the Prometheus text. */
export function registerEvents(app: FastifyInstance, options: EventsOptions): void {
  const { baton, feed, streams, metrics, auth } = options;
  const eventsQuery = streamQuery.extend({ afterId: streamQuery.shape.after, limit: streamQuery.shape.after });

  app.get('/api/v1/events', { config: { access: 'read', queryToken: true } }, async (req, reply) => {
    const query = parseWith(eventsQuery, req.query, { what: 'query' });
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('text/event-stream')) {
      if (query.access_token !== undefined) {
        throw new BatonError(
          'invalid_argument',
          'access_token: only the event stream takes a key in the URL; send Authorization: Bearer <key>',
          {
            field: 'access_token',
          },
        );
      }
      const events = await baton.events({
        ...(query.taskId !== undefined && { taskId: query.taskId }),
        afterId: query.afterId ?? query.after ?? 0,
        limit: Math.min(query.limit ?? 1_000, 10_000),
      });
      return { events };
    }
    const lastEventId = req.headers['last-event-id'];
    const resume = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId.trim()) ? Number(lastEventId) : undefined;
    const after = resume ?? query.after ?? feed.watermark;
    const principal = req.principal;
    reply.hijack();
    await streams.open(
      reply.raw,
      after,
      { taskId: query.taskId, types: query.type ? new Set(query.type) : undefined },
      { ...SECURITY_HEADERS },
      () => stillAdmitted(req, principal, auth),
    );
    return reply;
  });

  app.get('/metrics', { config: { access: 'read' } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  // Our own write: deliver its events to the streams now rather than at the next poll.
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && reply.statusCode < 400) feed.nudge();
  });
}
