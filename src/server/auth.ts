import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Baton } from '../app/baton.js';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import type { ApiKey, ApiKeyRole } from '../core/types.js';
import { type JwtVerifier, looksLikeJwt } from './jwt.js';
import type { Access } from './route.js';

/** Who is calling: from the API key or bearer JWT, or the loopback-only open mode when the store has no keys. */
export interface Principal {
  role: ApiKeyRole;
  /** A worker key's (or worker token's) worker. */
  workerId: string | null;
  /** The key's id, or `jwt:<sub>` for a token. */
  keyId: string | null;
  /** The key itself (never its secret), or null in open mode. */
  key: ApiKey | null;
  /** Recorded as the actor of the changes this caller makes. */
  actor: string;
}

export const OPEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', workerId: null, keyId: null, key: null, actor: 'api' });
/** A caller of a public route (health), whoever it is. */
export const ANONYMOUS: Principal = Object.freeze({
  role: 'viewer',
  workerId: null,
  keyId: null,
  key: null,
  actor: 'anonymous',
});

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that declares its access. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Who may call the route; routes without it (404s, the dashboard's files) need no key. */
    access?: Access;
    /**
     * The route takes its key as `?access_token=` too: only the event stream, for a browser's
     * EventSource, which cannot send headers. Anywhere else a key in a URL would only end up in
     * logs and browser history.
     */
    queryToken?: boolean;
  }
}

/** The key a request presents: `Authorization: Bearer …`, or `access_token` where the route takes it. */
export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? (match[1] as string) : header.trim() || null;
  }
  const token = queryToken(req);
  return token !== undefined && req.routeOptions.config?.queryToken === true && token.length > 0 ? token : null;
}

function queryToken(req: FastifyRequest): string | undefined {
  const token = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof token === 'string' ? token : undefined;
}

export interface AuthOptions {
  baton: Baton;
  /** Listening beyond loopback: keys are required even when none exist (then nothing gets in). */
  requireKeys: boolean;
  /** Refuses an address after this many wrong keys in a window, whatever keys it makes up. */
  failures?: AuthFailures | undefined;
  /** Bearer JWTs are accepted beside keys (`auth.jwt`); then every request needs one or a key. */
  jwt?: JwtVerifier | undefined;
}

export async function authenticate(req: FastifyRequest, options: AuthOptions): Promise<Principal> {
  const presented = presentedKey(req);
  const required = options.requireKeys || options.jwt !== undefined || (await options.baton.hasActiveKeys());
  if (!required) return OPEN_PRINCIPAL;
  if (!presented) {
    throw new BatonError('unauthenticated', 'an API key is required: send Authorization: Bearer <key>');
  }
  if (options.jwt && looksLikeJwt(presented)) return options.jwt.verify(presented);
  const key = await options.baton.verifyKey(presented);
  if (!key) throw new BatonError('unauthenticated', 'the API key is not valid (unknown or revoked)');
  const actor = key.role === 'worker' ? (key.workerId as string) : `key:${key.name ?? key.id}`;
  return { role: key.role, workerId: key.workerId, keyId: key.id, key, actor };
}

/**
 * Whether a caller let in earlier would still be: its key is still active, or, let in without one,
 * the server still needs none. (A revoked key stays refused even if its revocation left no key,
 * which opens the server again: it is this key that was withdrawn.)
 */
export async function stillAdmitted(req: FastifyRequest, principal: Principal, options: AuthOptions): Promise<boolean> {
  try {
    if (principal.keyId === null) return (await authenticate(req, options)).keyId === null;
    // A token stays good until it expires: verified again, it must still be the same caller's.
    if (principal.key === null) return (await authenticate(req, options)).keyId === principal.keyId;
    const presented = presentedKey(req);
    return presented !== null && (await options.baton.verifyKey(presented))?.id === principal.keyId;
  } catch {
    return false;
  }
}

/** Refuses a call the principal's role does not allow; a worker key acts only as its own worker. */
export function authorise(principal: Principal, access: Access, actingAs: string | undefined): void {
  if (principal.role === 'admin' || access === 'read' || access === 'public') return;
  if (principal.role === 'viewer') {
    throw new BatonError('forbidden', 'this key is read-only (viewer)', { role: principal.role });
  }
  if (access === 'admin') {
    throw new BatonError('forbidden', 'this needs an admin key; a worker key may only do its own work', {
      role: principal.role,
    });
  }
  if (actingAs !== undefined && actingAs.trim() !== principal.workerId) {
    throw new BatonError('forbidden', `this key acts only as worker ${principal.workerId}, not ${actingAs}`, {
      role: principal.role,
      workerId: principal.workerId,
    });
  }
}

/**
 * The auth hook: before anything else of a request, finds who calls a route that declares its
 * access and refuses a role the route does not allow. Worker keys acting as another worker are
 * refused once the body is parsed (the route's `actAs`).
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined) return;
    if (queryToken(req) !== undefined && req.routeOptions.config?.queryToken !== true) {
      throw new BatonError(
        'invalid_argument',
        'access_token: a key in the URL is taken by the event stream (/api/v1/events) only; send Authorization: Bearer <key>',
        { field: 'access_token' },
      );
    }
    req.principal = access === 'public' ? ANONYMOUS : await authenticateLimited(req, reply, options);
    authorise(req.principal, access, undefined);
  });
}

/** `authenticate`, counting each wrong key against the caller's address. */
async function authenticateLimited(req: FastifyRequest, reply: FastifyReply, options: AuthOptions): Promise<Principal> {
  const failures = options.failures;
  const wait = failures?.blockedFor(req.ip) ?? 0;
  if (wait > 0) {
    void reply.header('retry-after', String(Math.ceil(wait / 1000)));
    throw new BatonError('rate_limited', `too many wrong API keys from this address; try again in ${Math.ceil(wait / 1000)} s`, {
      retryAfterMs: wait,
    });
  }
  try {
    return await authenticate(req, options);
  } catch (err) {
    // A missing key is a client not yet set up (the dashboard asks for one); a wrong one is a guess.
    // A store that cannot be read says nothing about the key.
    const wrong = err instanceof BatonError && err.code === 'unauthenticated' && presentedKey(req) !== null;
    if (failures && wrong) failures.record(req.ip);
    throw err;
  }
}

/**
 * Wrong keys per address, in fixed windows. A limit per presented key would never stop a guesser,
 * who presents a new one each time; keys are 32 random bytes, so this is about the load and the
 * noise of guessing, not about the odds.
 */
export class AuthFailures {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** How long the address must wait before presenting a key again (0: it may now). */
  blockedFor(address: string): number {
    const window = this.windows.get(address);
    const now = this.clock.now();
    if (!window || window.endsAt <= now) return 0;
    return window.count >= this.max ? window.endsAt - now : 0;
  }

  record(address: string): void {
    const now = this.clock.now();
    const window = this.windows.get(address);
    if (window && window.endsAt > now) {
      window.count++;
      return;
    }
    if (this.windows.size >= 100_000) this.prune(now);
    this.windows.set(address, { count: 1, endsAt: now + this.windowMs });
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address);
    // Still full of live windows (a flood from many addresses): forget them rather than grow.
    if (this.windows.size >= 100_000) this.windows.clear();
  }
}
