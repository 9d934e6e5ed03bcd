import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS } from './errors.js';

/**
 * Refusing a body that is too large, so that the client always reads the refusal.
 *
 * A client that announces a body with `Expect: 100-continue` waits to be invited: it hears 413
 * instead, and sends nothing. A client that sends at once is answered 413 as soon as the headers
 * say too much, and the rest of its upload is read and dropped: closing the connection while it
 * still uploads would reset it, and a reset throws away the answer it has not read yet.
 */

/** How long the rest of a refused upload is read before the connection is cut after all. */
const DRAIN_MS = 30_000;
/**
 * Said on a refusal even to a client that asked to close: Node would otherwise close the socket
 * as soon as the answer is out, and the upload still arriving would reset it. The client closes
 * once it has read the answer, as it meant to.
 */
const KEEP_READING = { connection: 'keep-alive' } as const;

export interface HttpServerSettings {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  /** HTTPS: the certificate (chain) and private key, in PEM; plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
}

/** The largest body each route takes: the server's limit, or a route's own (import). */
export class BodyLimits {
  private readonly routes: { methods: Set<string>; path: RegExp; limit: number }[] = [];

  constructor(private readonly fallback: number) {}

  /** Learns each route's own limit as it is added. */
  follow(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      if (route.bodyLimit === undefined) return;
      const methods = new Set([route.method].flat().map((m) => String(m).toUpperCase()));
      const pattern = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
      this.routes.push({ methods, path: new RegExp(`^${pattern}/?$`), limit: route.bodyLimit });
    });
  }

  of(method: string, url: string): number {
    const path = url.split('?')[0] ?? url;
    return this.routes.find((r) => r.methods.has(method) && r.path.test(path))?.limit ?? this.fallback;
  }
}

/** Fastify's `serverFactory`: its HTTP server, with oversized bodies refused before they are read. */
export function serverRefusingLargeBodies(limits: BodyLimits, settings: HttpServerSettings) {
  return (handler: RequestListener): Server => {
    const listener: RequestListener = (req, res) => {
      if (!refuseLarge(req, res, limits)) handler(req, res);
    };
    const server: Server = settings.tls
      ? createTlsServer({ cert: settings.tls.cert, key: settings.tls.key }, listener)
      : createServer(listener);
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (refuseLarge(req, res, limits)) return;
      res.writeContinue();
      handler(req, res);
    });
    server.keepAliveTimeout = settings.keepAliveTimeout;
    server.requestTimeout = settings.requestTimeout;
    server.setTimeout(settings.connectionTimeout);
    return server;
  };
}

function refuseLarge(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): boolean {
  const length = Number(req.headers['content-length']);
  const limit = limits.of(req.method ?? 'GET', req.url ?? '/');
  if (!(length > limit)) return false;
  const body = JSON.stringify({
    error: {
      code: 'payload_too_large',
      message: `the request body is too large: ${length} bytes, and this route takes at most ${limit}`,
      details: { limit },
    },
  });
  res.writeHead(413, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...KEEP_READING,
  });
  res.end(body);
  drainRefused(req);
  return true;
}

/**
 * Reads and drops what is left of a refused upload, keeping the connection open meanwhile, so the
 * client finishes writing and reads the answer; cut after DRAIN_MS.
 */
export function drainRefused(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  cut.unref();
  const done = () => clearTimeout(cut);
  req.once('end', done);
  req.once('close', done);
}

/** Fastify's own 413 (a body that grew too large while read, without a length): drained alike. */
export function drainAfterRefusals(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode === 413 && !req.raw.complete) {
      void reply.headers(KEEP_READING);
      drainRefused(req.raw);
    }
    return payload;
  });
}
