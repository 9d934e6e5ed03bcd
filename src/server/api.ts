import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Baton, BatonHost } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import { parseWith } from '../core/schemas.js';
import { authorise, type Principal } from './auth.js';
import { emptyBody, noQuery } from './http-schemas.js';
import type { RouteSpec } from './route.js';

export interface ApiOptions {
  baton: BatonHost;
  routes: readonly RouteSpec[];
  /** Aborts every long-poll when the server closes. */
  shutdown: AbortSignal;
  logDir: string | null;
  /** Check every answer against its schema (tests; costs time per request). */
  validateResponses: boolean;
  /** Heavy calls (`RouteSpec.heavy`) one caller may have running at once. */
  heavyPerCaller?: number | undefined;
  /** Any caller who may create tasks may set their commands (`serve --allow-commands`). */
  allowCommands: boolean;
}

/** Every route of /api/v1 that is one `Baton` call, each validated by its own schemas. */
export function registerApi(app: FastifyInstance, options: ApiOptions): Api {
  // One Baton per actor, made once: building one per request would cost every request.
  const batons = new Map<string, Baton>();
  const batonFor = (actor: string): Baton => {
    const known = batons.get(actor);
    if (known) return known;
    const baton = options.baton.actingAs(actor);
    batons.set(actor, baton);
    return baton;
  };

  for (const spec of options.routes) {
    app.route({
      method: spec.method,
      url: `/api/v1${spec.path}`,
      config: { access: spec.access },
      ...(spec.bodyLimit !== undefined && { bodyLimit: spec.bodyLimit }),
      handler: (req, reply) => handle(spec, req, reply),
    });
  }

  // Calls still running, answered or not: a long-poll whose client left still finishes its claim.
  let inFlight = 0;
  const heavyCalls = new HeavyCalls(options.heavyPerCaller ?? HEAVY_PER_CALLER);
  async function handle(spec: RouteSpec, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const signal = spec.longPoll ? untilGone(reply, options.shutdown) : options.shutdown;
    const call = { principal: req.principal, params: req.params, query: req.query, body: req.body, req, reply, signal };
    const result = await callRoute(spec, call);
    // A handler may have set its own status (health answers 503 while the store cannot write).
    if (reply.statusCode === 200) void reply.status(spec.status ?? 200);
    return result;
  }

  /** One route's call, from any door: its input parsed by its schemas, its roles checked, its Baton call made. */
  async function callRoute(spec: RouteSpec, call: RouteCall): Promise<unknown> {
    inFlight++;
    let release: (() => void) | null = null;
    try {
      if (spec.heavy) release = heavyCalls.enter(call.principal.keyId ?? `ip:${call.req.ip}`);
      return await answer(spec, call);
    } finally {
      release?.();
      inFlight--;
    }
  }

  return { inFlight: () => inFlight, call: callRoute, batonFor };

  async function answer(spec: RouteSpec, call: RouteCall): Promise<unknown> {
    const { principal, req } = call;
    authorise(principal, spec.access, undefined);
    const params = parseWith(spec.params ?? noQuery, call.params ?? {}, { what: 'path' });
    const query = parseWith(spec.query ?? noQuery, call.query ?? {}, { what: 'query' });
    const rawBody = spec.body || call.body !== undefined ? (call.body ?? {}) : {};
    const body = parseWith(spec.body ?? emptyBody, rawBody, { what: 'body' });
    if (spec.actAs) authorise(principal, spec.access, spec.actAs({ body, params }));
    const commandsAllowed = mayRunCommands(principal, options.allowCommands);
    if (spec.setsCommands?.(body) && !commandsAllowed) throw commandsNotAllowed();
    const baton = batonFor(principal.actor);
    const reply = call.reply ?? detachedReply();
    const context = {
      body,
      query,
      params,
      baton,
      principal,
      req,
      reply,
      signal: call.signal,
      logDir: options.logDir,
      commandsAllowed,
    };
    const result = await spec.handle(context);
    if (options.validateResponses && spec.response) {
      const check = spec.response.safeParse(result);
      if (!check.success) throw new Error(`answer of ${spec.method} ${spec.path} broke its schema: ${check.error.message}`);
    }
    return result;
  }
}

/** A route called by another door (GraphQL, WebSocket): its raw input, as a request would carry it. */
export interface RouteCall {
  principal: Principal;
  params: unknown;
  query: unknown;
  body: unknown;
  /** The request the call arrived on (its headers, address). */
  req: FastifyRequest;
  /** The HTTP answer the route may set a status or header on; none when the call has its own. */
  reply?: FastifyReply | undefined;
  signal: AbortSignal;
}

export type RouteCaller = (spec: RouteSpec, call: RouteCall) => Promise<unknown>;

export interface Api {
  /** Calls still running. */
  inFlight(): number;
  call: RouteCaller;
  /** The Baton acting for an actor (one per actor, kept). */
  batonFor(actor: string): Baton;
}

/** Where a route's status and headers go when its answer is not an HTTP reply of its own. */
function detachedReply(): FastifyReply {
  const reply: Record<string, unknown> = {};
  for (const name of ['code', 'status', 'header', 'headers', 'type']) reply[name] = () => reply;
  return reply as unknown as FastifyReply;
}

/** Heavy calls one caller may have running at once, by default. */
// The dashboard loads a page per board column at once; a script rarely needs more than a few.
export const HEAVY_PER_CALLER = 12;

/** Counts heavy calls per caller; one over the limit is refused at once, not queued. */
class HeavyCalls {
  private readonly running = new Map<string, number>();

  constructor(private readonly limit: number) {}

  enter(caller: string): () => void {
    const now = this.running.get(caller) ?? 0;
    if (now >= this.limit) {
      throw new BatonError(
        'rate_limited',
        `at most ${this.limit} large requests (listings, exports) at once per caller: wait for one to finish`,
        {
          limit: this.limit,
        },
      );
    }
    this.running.set(caller, now + 1);
    return () => {
      const left = (this.running.get(caller) ?? 1) - 1;
      if (left === 0) this.running.delete(caller);
      else this.running.set(caller, left);
    };
  }
}

/** Setting commands is running code on workers: an admin may, given the capability or the server's leave. */
export function mayRunCommands(principal: Principal, allowCommands: boolean): boolean {
  if (principal.role !== 'admin') return false;
  return allowCommands || (principal.key?.capabilities.includes('commands') ?? false);
}

function commandsNotAllowed(): BatonError {
  return new BatonError(
    'commands_not_allowed',
    'command: setting a task command needs an admin key with the commands capability (`baton keys create --role admin --capabilities commands`) or a server started with --allow-commands; whoever can set commands can run code on every worker that runs task commands',
    { field: 'command' },
  );
}

/** Only a wait needs to hear that its client left; other calls finish in moments. */
function untilGone(reply: FastifyReply, shutdown: AbortSignal): AbortSignal {
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return AbortSignal.any([gone.signal, shutdown]);
}
