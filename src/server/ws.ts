import type { WebSocket } from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';
import { parseWith } from '../core/schemas.js';
import type { TaskEvent } from '../core/types.js';
import type { RouteCaller } from './api.js';
import { type AuthOptions, stillAdmitted } from './auth.js';
import { toBatonError } from './errors.js';
import { streamQuery } from './http-schemas.js';
import { redactValue, seesPaths, withoutPaths } from './redact.js';
import type { RouteSpec } from './route.js';
import type { EventSink, StreamHub } from './sse.js';

/** Largest frame a client may send; a larger one is refused (and one past the socket's limit closes it). */
export const WS_FRAME_LIMIT = 64 * 1024;
/** Close codes of `/api/v1/ws`. */
export const WS_CLOSE = {
  /** The client fell too far behind the events: it reconnects with `after=` its last event id. */
  slow: 4008,
  /** The key was revoked, or the server closes. */
  ended: 1001,
} as const;

/** What a client may ask over the socket, each the same call as its REST route. */
const SOCKET_CALLS: Record<string, { method: string; path: string; byTask: boolean }> = {
  claim: { method: 'POST', path: '/claims', byTask: false },
  claimTask: { method: 'POST', path: '/tasks/:id/claim', byTask: true },
  heartbeat: { method: 'POST', path: '/tasks/:id/heartbeat', byTask: true },
  progress: { method: 'POST', path: '/tasks/:id/progress', byTask: true },
  complete: { method: 'POST', path: '/tasks/:id/complete', byTask: true },
  fail: { method: 'POST', path: '/tasks/:id/fail', byTask: true },
  release: { method: 'POST', path: '/tasks/:id/release', byTask: true },
};

export interface SocketOptions {
  streams: StreamHub;
  routes: readonly RouteSpec[];
  call: RouteCaller;
  auth: AuthOptions;
  /** The feed's watermark: where a stream without `after` starts. */
  startAt: () => number;
  shutdown: AbortSignal;
  /** Bytes a socket may have waiting before it is dropped as too slow (default: the hub's). */
  maxBuffered?: number | undefined;
}

/**
 * `/api/v1/ws`: the event stream of `/api/v1/events` over a WebSocket (same filters, resume and
 * heartbeats), and a worker's claims and lease-holding writes over the same connection.
 */
export function registerSocket(app: FastifyInstance, options: SocketOptions): void {
  const specs = new Map<string, RouteSpec>();
  for (const [name, target] of Object.entries(SOCKET_CALLS)) {
    const spec = options.routes.find((r) => r.method === target.method && r.path === target.path);
    if (!spec) throw new Error(`no route ${target.method} ${target.path} for the socket call ${name}`);
    specs.set(name, spec);
  }
  app.get('/api/v1/ws', { websocket: true, config: { access: 'read', queryToken: true } }, (socket, req) => {
    const gone = new AbortController();
    socket.on('close', () => gone.abort());
    const signal = AbortSignal.any([gone.signal, options.shutdown]);
    let query: ReturnType<typeof parseQuery>;
    try {
      query = parseQuery(req);
    } catch (err) {
      sendError(socket, req, err, undefined);
      socket.close(1008, 'invalid query');
      return;
    }
    socket.on('message', (data, isBinary) => {
      void onFrame(socket, req, data as Buffer, isBinary, specs, options, signal);
    });
    const after = query.after ?? options.startAt();
    void options.streams.follow(socketSink(socket, options.maxBuffered), after, query.filter, () =>
      stillAdmitted(req, req.principal, options.auth),
    );
  });
}

function parseQuery(req: FastifyRequest) {
  const query = parseWith(streamQuery, req.query, { what: 'query' });
  const lastEventId = req.headers['last-event-id'];
  const resume = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId.trim()) ? Number(lastEventId) : undefined;
  return {
    after: resume ?? query.after,
    filter: { taskId: query.taskId, types: query.type ? new Set(query.type) : undefined },
  };
}

async function onFrame(
  socket: WebSocket,
  req: FastifyRequest,
  data: Buffer,
  isBinary: boolean,
  specs: Map<string, RouteSpec>,
  options: SocketOptions,
  signal: AbortSignal,
): Promise<void> {
  let ref: unknown;
  try {
    if (data.length > WS_FRAME_LIMIT) {
      throw new BatonError('payload_too_large', `a frame may have at most ${WS_FRAME_LIMIT} bytes`, { limit: WS_FRAME_LIMIT });
    }
    const message = parseFrame(data, isBinary);
    ref = message.ref;
    const spec = specs.get(message.type);
    if (!spec) {
      throw new BatonError('invalid_argument', `type: expected one of ${[...specs.keys()].join(', ')}`, { field: 'type' });
    }
    const params = SOCKET_CALLS[message.type]?.byTask ? { id: String(message.taskId) } : {};
    const body = message.body ?? {};
    const result = await options.call(spec, { principal: req.principal, params, query: {}, body, req, signal });
    send(socket, { type: 'result', ref, data: result });
  } catch (err) {
    sendError(socket, req, err, ref);
  }
}

interface Frame {
  type: string;
  ref?: unknown;
  taskId?: unknown;
  body?: unknown;
}

function parseFrame(data: Buffer, isBinary: boolean): Frame {
  if (isBinary) throw new BatonError('invalid_argument', 'frame: send JSON text, not binary', { field: 'frame' });
  let message: unknown;
  try {
    message = JSON.parse(data.toString('utf8'));
  } catch {
    throw new BatonError('invalid_argument', 'frame: malformed JSON', { field: 'frame' });
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof (message as Frame).type !== 'string') {
    throw new BatonError('invalid_argument', 'frame: expected an object with a type', { field: 'frame' });
  }
  return message as Frame;
}

function send(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

function sendError(socket: WebSocket, req: FastifyRequest, err: unknown, ref: unknown): void {
  const error = toBatonError(err);
  if (error.category === 'internal') req.log.error({ err }, 'socket call failed');
  const plain = seesPaths(req.principal);
  send(socket, {
    type: 'error',
    ...(ref !== undefined && { ref }),
    error: {
      code: error.code,
      message: plain ? error.message : withoutPaths(error.message),
      details: plain ? (error.details ?? {}) : redactValue(error.details ?? {}),
    },
  });
}

function socketSink(socket: WebSocket, maxBuffered: number | undefined): EventSink {
  return {
    send(events: readonly TaskEvent[]) {
      for (const event of events) send(socket, { type: 'event', event });
    },
    heartbeat: () => send(socket, { type: 'heartbeat' }),
    buffered: () => socket.bufferedAmount,
    ...(maxBuffered !== undefined && { maxBuffered }),
    close(reason) {
      if (socket.readyState !== socket.OPEN) return;
      if (reason === 'slow') socket.close(WS_CLOSE.slow, 'too far behind: reconnect with after=<last event id>');
      else socket.close(WS_CLOSE.ended, 'stream ended');
    },
    onGone: (listener) => socket.on('close', listener),
  };
}
