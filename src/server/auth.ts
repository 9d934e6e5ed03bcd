import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Baton } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import type { ApiKey, ApiKeyRole } from '../core/types.js';
import type { Access } from './route.js';

/** Who is calling: from the API key, or the loopback-only open mode when the store has no keys. */
export interface Principal {
  role: ApiKeyRole;
  /** A worker key's worker. */
  workerId: string | null;
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
  }
}

/** The key a request presents: `Authorization: Bearer …`, or `access_token` for an event stream. */
export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? (match[1] as string) : header.trim() || null;
  }
  const query = req.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === 'string' && token.length > 0 ? token : null;
}

export interface AuthOptions {
  baton: Baton;
  /** Listening beyond loopback: keys are required even when none exist (then nothing gets in). */
  requireKeys: boolean;
}

export async function authenticate(req: FastifyRequest, options: AuthOptions): Promise<Principal> {
  const presented = presentedKey(req);
  const required = options.requireKeys || (await options.baton.hasActiveKeys());
  if (!required) return OPEN_PRINCIPAL;
  if (!presented) {
    throw new BatonError('unauthenticated', 'an API key is required: send Authorization: Bearer <key>');
  }
  const key = await options.baton.verifyKey(presented);
  if (!key) throw new BatonError('unauthenticated', 'the API key is not valid (unknown or revoked)');
  const actor = key.role === 'worker' ? (key.workerId as string) : `key:${key.name ?? key.id}`;
  return { role: key.role, workerId: key.workerId, keyId: key.id, key, actor };
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
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined) return;
    req.principal = access === 'public' ? ANONYMOUS : await authenticate(req, options);
    authorise(req.principal, access, undefined);
  });
}
