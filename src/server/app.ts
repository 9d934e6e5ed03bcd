import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Baton } from '../app/baton.js';
import { LocalBaton } from '../app/local-baton.js';
import { BatonError, isBatonError } from '../core/errors.js';
import type { Policy } from '../core/policy.js';
import { parseWith } from '../core/schemas.js';
import type { Store } from '../store/store.js';
import { ANONYMOUS, authenticate, authorise, type Principal, presentedKey } from './auth.js';
import { EventFeed } from './event-feed.js';
import { emptyBody, noQuery, streamQuery } from './http-schemas.js';
import { KeyRing } from './keys.js';
import { Metrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { RouteSpec } from './route.js';
import { routesOf } from './routes.js';
import { StreamHub } from './sse.js';

export interface ServerOptions {
  store: Store;
  policy: Policy;
  /** `.baton/patterns.yaml` of the store, for breakdowns. */
  patternsFile?: string | null | undefined;
  /** Listening beyond loopback: every request needs a key, even while the store has none. */
  requireKeys?: boolean | undefined;
  logger?: Logger | undefined;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number | undefined;
  /** Largest import body, in bytes (default 256 MiB). */
  importLimit?: number | undefined;
  /** Requests per key (or per address without one) per window; false: no limit. */
  rateLimit?: { max: number; windowMs: number } | false | undefined;
  /** SSE heartbeat comment interval (default 15 s). */
  heartbeatMs?: number | undefined;
  /** The built dashboard (`web/dist`), served at `/` when it exists. */
  dashboardDir?: string | null | undefined;
  /** Check every answer against its schema (tests; costs time per request). */
  validateResponses?: boolean | undefined;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: readonly string[] | undefined;
  version?: string | undefined;
  /** Folder of the attempt logs kept by workers on this machine (`.baton/logs`). */
  logDir?: string | null | undefined;
}

export interface BatonServer {
  app: FastifyInstance;
  feed: EventFeed;
  metrics: Metrics;
  streams: StreamHub;
  /** Starts following the event feed (before listening). */
  start(): Promise<void>;
  /** Stops accepting, ends streams and long-polls, waits for requests in flight, closes the feed. */
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

/** The Fastify app: every `Baton` call as a route under /api/v1, plus events, metrics and the dashboard. */
export async function buildServer(options: ServerOptions): Promise<BatonServer> {
  const version = options.version ?? '0.0.0';
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as unknown as FastifyBaseLogger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Requests are logged once each, at debug, by the onResponse hook below: at thousands of
    // requests a second, two info lines each would cost more than the requests.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 120_000,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  const feed = new EventFeed(options.store);
  const debug = options.logger?.isLevelEnabled('debug') ?? false;
  const root = new LocalBaton({ store: options.store, policy: options.policy, actor: 'api', patternsFile: options.patternsFile });
  const metrics = new Metrics(root, options.store);
  feed.subscribe((events) => void metrics.observe(events).catch(() => {}));
  const streams = new StreamHub(options.store, feed, options.heartbeatMs ?? 15_000);
  const keys = new KeyRing(options.store);
  const shutdown = new AbortController();
  const batons = new Map<string, Baton>();
  const batonFor = (p: Principal): Baton => {
    let baton = batons.get(p.actor);
    if (!baton) {
      baton = new LocalBaton({
        store: options.store,
        policy: options.policy,
        actor: p.actor,
        patternsFile: options.patternsFile,
      });
      batons.set(p.actor, baton);
    }
    return baton;
  };
  const auth = { keys, requireKeys: Boolean(options.requireKeys) };

  app.setErrorHandler((err, req, reply) => {
    const error = toBatonError(err);
    if (error.category === 'internal') req.log.error({ err }, 'request failed');
    else req.log.debug({ code: error.code, url: req.url }, error.message);
    void reply
      .status(error.httpStatus)
      .send({ error: { code: error.code, message: error.message, details: error.details ?? {} } });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    const origin = req.headers.origin;
    if (origin && options.corsOrigins?.includes(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'origin');
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (debug) req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    // Our own write: deliver its events to the streams now rather than at the next poll.
    if (req.method !== 'GET' && reply.statusCode < 400) feed.nudge();
  });

  if (options.rateLimit !== false) {
    const limit = options.rateLimit ?? { max: 100_000, windowMs: 60_000 };
    await app.register(rateLimit, {
      global: true,
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (req) => presentedKey(req) ?? req.ip,
      errorResponseBuilder: (_req, ctx) =>
        Object.assign(
          new BatonError('rate_limited', `too many requests; try again in ${ctx.after}`, {
            limit: ctx.max,
            retryAfterMs: ctx.ttl,
          }),
          { statusCode: 429 },
        ),
    });
  }

  const routes = routesOf({ store: options.store, metrics, startedAt: Date.now(), version, importLimit: options.importLimit });
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: `/api/v1${spec.path}`,
      ...(spec.bodyLimit !== undefined && { bodyLimit: spec.bodyLimit }),
      handler: (req, reply) => handle(spec, req, reply),
    });
  }

  let inFlight = 0;
  async function handle(spec: RouteSpec, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    inFlight++;
    try {
      return await answer(spec, req, reply);
    } finally {
      inFlight--;
    }
  }

  async function answer(spec: RouteSpec, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const principal = spec.access === 'public' ? ANONYMOUS : await authenticate(req, auth);
    authorise(principal, spec.access, undefined);
    const params = parseWith(spec.params ?? noQuery, req.params ?? {}, { what: 'path' });
    const query = parseWith(spec.query ?? noQuery, withoutToken(req.query), { what: 'query' });
    const body = parseWith(spec.body ?? emptyBody, spec.body || req.body !== undefined ? (req.body ?? {}) : {}, {
      what: 'body',
    });
    if (spec.actAs) authorise(principal, spec.access, spec.actAs({ body, params }));
    // Only a wait needs to hear that its client left; other calls finish in moments.
    let signal = shutdown.signal;
    if (spec.longPoll) {
      const gone = new AbortController();
      signal = AbortSignal.any([gone.signal, shutdown.signal]);
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
    }
    const logDir = options.logDir ?? null;
    const result = await spec.handle({ body, query, params, baton: batonFor(principal), principal, req, reply, signal, logDir });
    if (options.validateResponses && spec.response) {
      const check = spec.response.safeParse(result);
      if (!check.success) throw new Error(`answer of ${spec.method} ${spec.path} broke its schema: ${check.error.message}`);
    }
    void reply.status(spec.status ?? 200);
    return result;
  }

  const document = openApiDocument(routes, version);
  app.get('/api/v1/openapi.json', async () => document);

  app.get('/api/v1/events', async (req, reply) => {
    const principal = await authenticate(req, auth);
    const query = parseWith(streamQuery.extend({ afterId: streamQuery.shape.after, limit: streamQuery.shape.after }), req.query, {
      what: 'query',
    });
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('text/event-stream')) {
      const events = await batonFor(principal).events({
        ...(query.taskId !== undefined && { taskId: query.taskId }),
        afterId: query.afterId ?? query.after ?? 0,
        limit: Math.min(query.limit ?? 1_000, 10_000),
      });
      return { events };
    }
    const lastEventId = req.headers['last-event-id'];
    const resume = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId.trim()) ? Number(lastEventId) : undefined;
    const after = resume ?? query.after ?? feed.watermark;
    reply.hijack();
    await streams.open(
      reply.raw,
      after,
      { taskId: query.taskId, types: query.type ? new Set(query.type) : undefined },
      SECURITY_HEADERS,
    );
    return reply;
  });

  app.get('/metrics', async (req, reply) => {
    await authenticate(req, auth);
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  await registerDashboard(app, options.dashboardDir ?? null);

  app.addHook('preClose', async () => {
    shutdown.abort();
    streams.closeAll();
  });

  return {
    app,
    feed,
    metrics,
    streams,
    start: () => feed.start(),
    async close() {
      const closing = app.close();
      // Requests in flight finish (long-polls end early: preClose aborted them); then every
      // connection left is idle or half-closed by a client that went away, and is dropped rather
      // than waited for until its keep-alive timeout.
      const giveUpAt = Date.now() + 30_000;
      while (inFlight > 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 20));
      app.server.closeAllConnections();
      try {
        await closing;
      } finally {
        feed.close();
      }
    },
  };
}

function withoutToken(query: unknown): Record<string, unknown> {
  const { access_token: _token, ...rest } = (query ?? {}) as Record<string, unknown>;
  return rest;
}

/** Fastify's own refusals (bad JSON, too large, rate limited) as coded Baton errors; anything else is internal. */
export function toBatonError(err: unknown): BatonError {
  if (isBatonError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.statusCode === 413) return new BatonError('payload_too_large', 'the request body is too large');
  if (e.statusCode === 429) return new BatonError('rate_limited', e.message ?? 'too many requests');
  if (e.statusCode === 415) {
    return new BatonError('invalid_argument', 'Content-Type: send JSON with Content-Type: application/json', {
      field: 'Content-Type',
    });
  }
  if (e.statusCode === 400) {
    const what = e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty JSON body' : 'malformed JSON';
    return new BatonError('invalid_argument', `body: ${what}`, { field: 'body' });
  }
  if (e.statusCode === 404) return new BatonError('route_not_found', 'no such route');
  // Never a stack trace or an internal message in an answer: the log has them.
  return new BatonError('internal', 'internal error; the server log has the details');
}

async function registerDashboard(app: FastifyInstance, dir: string | null): Promise<void> {
  const root = dir ? resolve(dir) : null;
  const index = root ? join(root, 'index.html') : null;
  if (root && index && existsSync(index)) {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: 'index.html' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(LANDING));
  }
  app.setNotFoundHandler(async (req, reply) => {
    const api = req.url.startsWith('/api/') || req.url === '/metrics';
    if (!api && root && index && existsSync(index) && req.method === 'GET') {
      // A client-side route of the dashboard: the app itself decides what to show.
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    throw new BatonError('route_not_found', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}

const LANDING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head><body>
<h1>Baton</h1>
<p>The server is running. The dashboard is not built here (build it into <code>web/dist</code>).</p>
<ul>
<li><a href="/api/v1/status">/api/v1/status</a> — counts, queue depth, workers, throughput</li>
<li><a href="/api/v1/tasks">/api/v1/tasks</a> — tasks</li>
<li><a href="/api/v1/openapi.json">/api/v1/openapi.json</a> — the API, described</li>
<li><a href="/api/v1/events">/api/v1/events</a> — live events (Server-Sent Events)</li>
<li><a href="/metrics">/metrics</a> — Prometheus metrics</li>
</ul>
</body></html>
`;
