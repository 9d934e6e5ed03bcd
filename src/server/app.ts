import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { BatonHost } from '../app/baton.js';
import type { JwtSettings } from '../app/integration-types.js';
import { type Clock, systemClock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { registerApi } from './api.js';
import { AuthFailures, type AuthOptions, registerAuth } from './auth.js';
import { BodyLimits, drainAfterRefusals, serverRefusingLargeBodies } from './body-size.js';
import { registerDashboard } from './dashboard.js';
import { registerErrors } from './errors.js';
import { EventFeed } from './event-feed.js';
import { registerEvents } from './events.js';
import { registerGraphql } from './graphql/index.js';
import type { QueryLimits } from './graphql/limits.js';
import { JwtVerifier } from './jwt.js';
import { MaintenanceLoop } from './maintenance-loop.js';
import { Metrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { registerJsonWrites, registerRequestGuard } from './request-guard.js';
import { routesOf } from './routes.js';
import type { LogHealth } from './routes-system.js';
import { StreamHub } from './sse.js';
import { SweepLoop } from './sweep-loop.js';
import { registerSocket } from './ws.js';

export { toBatonError } from './errors.js';

export interface ServerOptions {
  /** The Baton the server serves; each caller's changes are made through `actingAs(caller)`. */
  baton: BatonHost;
  /** Whether the server's log file takes writes, for `/health`. */
  logHealth?: (() => LogHealth) | undefined;
  /** Large-answer calls (listings, exports) one caller may have running at once (default 12). */
  heavyPerCaller?: number;
  /** Bearer JWTs accepted beside API keys (`auth.jwt` of the config); then every request needs one or a key. */
  jwt?: Readonly<JwtSettings> | null | undefined;
  /** Listening beyond loopback: every request needs a key, even while the store has none. */
  requireKeys?: boolean | undefined;
  logger?: Logger | undefined;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number | undefined;
  /** Largest import body, in bytes (default 256 MiB). */
  importLimit?: number | undefined;
  /** Requests per key (or per address without one) per window; false: no limit. */
  rateLimit?: { max: number; windowMs: number } | false | undefined;
  /** Wrong API keys an address may present per window before it is refused (default 30 a minute); false: no limit. */
  authFailureLimit?: { max: number; windowMs: number } | false | undefined;
  /** SSE heartbeat comment interval (default 15 s). */
  heartbeatMs?: number | undefined;
  /** The built dashboard (`web/dist`), served at `/` when it exists. */
  dashboardDir?: string | null | undefined;
  /** Check every answer against its schema (tests; costs time per request). */
  validateResponses?: boolean | undefined;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: readonly string[] | undefined;
  /**
   * Names a request's `Host` may carry (`name` or `name:port`) besides loopback names and the
   * address the server listens on: the names it is reached by through DNS or a proxy.
   */
  allowedHosts?: readonly string[] | undefined;
  /** Any caller who may create tasks may set their shell commands, not only keys with `commands`. */
  allowCommands?: boolean | undefined;
  /** HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /**
   * Proxies whose `X-Forwarded-For` names the caller's address (for rate limits and wrong-key
   * lockouts): `true` for any, or their addresses and CIDR ranges. Without it the header is ignored.
   */
  trustProxy?: boolean | string[] | undefined;
  version?: string | undefined;
  /** Folder of the attempt logs kept by workers on this machine (`.baton/logs`). */
  logDir?: string | null | undefined;
  clock?: Clock | undefined;
  /** How often expired leases and reservations of offline workers are swept, in ms (default 250). */
  sweepMs?: number | undefined;
  /** GraphQL: whether introspection is answered (default true), and the depth and cost limits of a query. */
  graphql?: ({ introspection?: boolean | undefined } & Partial<QueryLimits>) | undefined;
  /** Bytes of events a WebSocket client may leave unread before it is dropped (default 8 MiB). */
  socketBufferBytes?: number | undefined;
  /** How often the scheduled duties (backups, retention) are looked at, in ms (default 60 s). */
  maintainMs?: number | undefined;
}

export interface BatonServer {
  app: FastifyInstance;
  feed: EventFeed;
  metrics: Metrics;
  streams: StreamHub;
  /** Starts following the event feed and the sweep of expired leases (before listening). */
  start(): Promise<void>;
  /** Stops accepting, ends streams and long-polls, waits for requests in flight, closes the feed. */
  close(): Promise<void>;
}

/** How long close() waits for calls in flight before it drops their connections. */
const CLOSE_GRACE_MS = 30_000;

/**
 * The HTTP server as Fastify plugins and hooks: errors and headers, auth (an `onRequest` hook),
 * rate limits, the API routes (each one `Baton` call), events and metrics, the dashboard.
 */
export async function buildServer(options: ServerOptions): Promise<BatonServer> {
  const version = options.version ?? '0.0.0';
  const clock = options.clock ?? systemClock;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const bodyLimits = new BodyLimits(bodyLimit);
  const timeouts = { requestTimeout: 120_000, connectionTimeout: 0, keepAliveTimeout: 65_000 };
  const trustProxy = options.trustProxy === undefined || options.trustProxy === false ? {} : { trustProxy: options.trustProxy };
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as unknown as FastifyBaseLogger } : { logger: false }),
    bodyLimit,
    serverFactory: serverRefusingLargeBodies(bodyLimits, { ...timeouts, tls: options.tls }),
    ...trustProxy,
    // Requests are logged once each, at debug, by the onResponse hook below: at thousands of
    // requests a second, two info lines each would cost more than the requests.
    logController: new LogController({ disableRequestLogging: true }),
    ...timeouts,
    return503OnClosing: true,
    // On close, idle keep-alive connections are dropped at once and busy ones once they answer.
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  const baton = options.baton.actingAs('api');
  const feed = new EventFeed(baton, { clock });
  const metrics = new Metrics(baton, clock);
  feed.subscribe((events) => void metrics.observe(events).catch(() => {}));
  const streams = new StreamHub(baton, feed, options.heartbeatMs ?? 15_000);
  const shutdown = new AbortController();
  const sweeps = new SweepLoop(baton, clock, (err) => options.logger?.warn({ err }, 'sweep failed'), options.sweepMs);
  const duties = new MaintenanceLoop(
    () => options.baton.maintain(),
    clock,
    (err) => options.logger?.warn({ err }, 'maintenance failed'),
    options.maintainMs,
  );
  const notices = new MaintenanceLoop(
    () => notify(options.baton, options.logger),
    clock,
    (err) => options.logger?.warn({ err }, 'webhooks and alerts failed'),
    options.baton.notifyEveryMs,
  );
  const failureLimit = options.authFailureLimit ?? { max: 30, windowMs: 60_000 };
  const failures = failureLimit ? new AuthFailures(failureLimit.max, failureLimit.windowMs, clock) : undefined;
  const jwt = options.jwt ? new JwtVerifier(options.jwt, clock) : undefined;
  const auth: AuthOptions = { baton, requireKeys: Boolean(options.requireKeys), failures, jwt };

  bodyLimits.follow(app);
  registerErrors(app, { corsOrigins: options.corsOrigins });
  drainAfterRefusals(app);
  // One WebSocket server for both doors; frames past the body limit close the socket (1009). Its
  // hooks come before auth's: an upgrade refused by auth still has its socket closed once answered.
  await app.register(websocket, { options: { maxPayload: bodyLimit } });
  registerRequestGuard(app, { allowedHosts: options.allowedHosts, corsOrigins: options.corsOrigins });
  registerAuth(app, auth);
  registerJsonWrites(app);
  observeRequests(app, metrics, options.logger?.isLevelEnabled('debug') ?? false);
  if (options.rateLimit !== false) await registerRateLimit(app, options.rateLimit ?? { max: 100_000, windowMs: 60_000 });

  const routes = routesOf({
    metrics,
    clock,
    startedAt: clock.now(),
    version,
    importLimit: options.importLimit,
    logHealth: options.logHealth,
  });
  const api = registerApi(app, {
    baton: options.baton,
    routes,
    shutdown: shutdown.signal,
    logDir: options.logDir ?? null,
    validateResponses: Boolean(options.validateResponses),
    heavyPerCaller: options.heavyPerCaller,
    allowCommands: Boolean(options.allowCommands),
  });
  const document = openApiDocument(routes, version);
  app.get('/api/v1/openapi.json', async () => document);
  registerEvents(app, { baton, feed, streams, metrics, auth });
  const startAt = () => feed.watermark;
  registerSocket(app, {
    streams,
    routes,
    call: api.call,
    auth,
    startAt,
    shutdown: shutdown.signal,
    maxBuffered: options.socketBufferBytes,
  });
  await registerGraphql(app, {
    routes,
    api,
    streams,
    startAt,
    shutdown: shutdown.signal,
    auth,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    introspection: options.graphql?.introspection,
    limits: options.graphql,
  });
  await registerDashboard(app, options.dashboardDir ?? null);

  app.addHook('preClose', async () => {
    shutdown.abort();
    streams.closeAll();
  });
  app.addHook('onClose', async () => feed.close());
  app.addHook('onClose', async () => sweeps.stop());
  app.addHook('onClose', async () => duties.stop());
  app.addHook('onClose', async () => notices.stop());
  app.addHook('onClose', async () => options.baton.stopNotify());

  return {
    app,
    feed,
    metrics,
    streams,
    start: async () => {
      await feed.start();
      sweeps.start();
      duties.start();
      notices.start();
    },
    async close() {
      const closing = app.close();
      // Calls in flight finish (long-polls end at once: preClose aborted them). Then every
      // connection left is idle or half-closed by a client that went away without a word, and is
      // dropped rather than waited for until its keep-alive timeout.
      const giveUpAt = Date.now() + CLOSE_GRACE_MS;
      while (api.inFlight() > 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 20));
      app.server.closeAllConnections();
      await closing;
    },
  };
}

/** A turn of webhooks and alerts; each alert raised goes to the server's log. */
async function notify(baton: BatonHost, logger: Logger | undefined): Promise<void> {
  const tick = await baton.notify();
  for (const a of tick.alerts)
    logger?.warn({ alert: { id: a.id, kind: a.kind, key: a.key, data: a.data } }, `alert: ${a.message}`);
}

function observeRequests(app: FastifyInstance, metrics: Metrics, debug: boolean): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (debug) req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
}

async function registerRateLimit(app: FastifyInstance, limit: { max: number; windowMs: number }): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    // Runs after auth: a valid key is limited as itself, anything else by its address. (Wrong
    // keys never get here: auth refused them, and counts them per address.)
    keyGenerator: (req) => req.principal?.keyId ?? req.ip,
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
