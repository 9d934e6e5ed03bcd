import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A JSON body as sent, before parsing (null without one). */
    rawBody: string | null;
  }
}

/**
 * What a browser page may make of this server. Without keys the server trusts whoever can reach
 * it, so it must tell a person's own client from a page on some other site that the person's
 * browser happens to be showing:
 * - a page that points its own DNS name at this machine (DNS rebinding) names that name in `Host`;
 * - a page of another origin that writes (a `no-cors` POST needs no permission) names itself in
 *   `Origin`, and browsers mark a page of another site with `Sec-Fetch-Site: cross-site`;
 * - such a page can send only text, form or multipart bodies without asking first, never JSON.
 */

/** Loopback addresses: a server there is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

export interface GuardOptions {
  /** Names a request's `Host` may carry besides loopback and the bound address: `name` or `name:port`. */
  allowedHosts?: readonly string[] | undefined;
  /** Browser origins allowed to call the API (CORS); their pages may write too. */
  corsOrigins?: readonly string[] | undefined;
}

interface HostName {
  name: string;
  port: number | null;
}

/** `Example.org:7420` → `{name: 'example.org', port: 7420}`; `[::1]` → `{name: '::1', port: null}`. */
export function parseHost(value: string): HostName | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return null;
  const name = (match[1] ?? match[2] ?? '').toLowerCase().replace(/\.$/, '');
  return name ? { name, port: match[3] !== undefined ? Number(match[3]) : null } : null;
}

/** The names this server answers to, learnt from where it listens once it does. */
class ServerNames {
  private readonly configured: HostName[];
  private bound: { key: string; port: number; names: Set<string> } | null = null;

  constructor(
    private readonly server: Server,
    allowed: readonly string[],
  ) {
    this.configured = allowed.map((entry) => {
      const parsed = parseHost(entry);
      if (!parsed)
        throw new BatonError('invalid_argument', `allowedHosts: "${entry}" is not a host name`, { field: 'allowedHosts' });
      return parsed;
    });
  }

  allows(host: HostName): boolean {
    if (isLoopback(host.name)) return true;
    if (this.configured.some((c) => c.name === host.name && (c.port === null || c.port === host.port))) return true;
    const bound = this.boundNames();
    return bound !== null && host.port === bound.port && bound.names.has(host.name);
  }

  private boundNames(): { port: number; names: Set<string> } | null {
    const address = this.server.address();
    if (!address || typeof address === 'string') return null;
    const key = `${address.address}:${address.port}`;
    if (this.bound?.key !== key) this.bound = { key, port: address.port, names: namesOf(address.address) };
    return this.bound;
  }
}

/**
 * A wildcard address listens on every interface, so each interface's address (and the machine's
 * name) is its own; so is the address itself, which only this machine can reach it by.
 */
function namesOf(address: string): Set<string> {
  if (address !== '0.0.0.0' && address !== '::') return new Set([address.toLowerCase()]);
  const names = new Set([address, hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) names.add(i.address.toLowerCase());
  }
  return names;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `origin` is the page's own server, the one the request names in `Host`. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const page = new URL(origin);
    return page.host === new URL(`${page.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

function refuseOrigin(req: FastifyRequest, cors: ReadonlySet<string>): void {
  const origin = req.headers.origin;
  if (origin !== undefined && cors.has(origin)) return;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') {
    throw new BatonError('forbidden_origin', 'a page on another site may not call this API', { origin: origin ?? null });
  }
  if (SAFE_METHODS.has(req.method)) return;
  const foreign =
    origin !== undefined
      ? !sameOrigin(origin, req.headers.host)
      : site !== undefined && site !== 'same-origin' && site !== 'none';
  if (foreign) {
    throw new BatonError(
      'forbidden_origin',
      `only pages served by this server may write through it, not ${origin ?? 'a page of another origin'} (the server's --cors lists those allowed)`,
      { origin: origin ?? null },
    );
  }
}

/**
 * Checks, before anything else of a request: that `Host` names this server (every request), and
 * that an API call comes from a page of this server or of an allowed origin. Clients that are not
 * browsers send neither `Origin` nor `Sec-Fetch-Site` and pass.
 */
export function registerRequestGuard(app: FastifyInstance, options: GuardOptions): void {
  const names = new ServerNames(app.server, options.allowedHosts ?? []);
  const cors = new Set(options.corsOrigins ?? []);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.host;
    // HTTP/1.0 may leave Host out: then there is no name a rebinding page could have chosen.
    const host = header === undefined ? null : parseHost(header);
    if (header !== undefined && (host === null || !names.allows(host))) {
      const name = host?.name ?? header.slice(0, 100);
      throw new BatonError(
        'forbidden_host',
        `Host ${JSON.stringify(name)} is not a name of this server; if it is, start it with --allowed-hosts ${name}`,
        { host: name },
      );
    }
    if (req.routeOptions.config?.access !== undefined) refuseOrigin(req, cors);
  });
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function isJson(type: string | undefined): boolean {
  return (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Writes must say they send JSON, even without a body: a page of another origin cannot send
 * `Content-Type: application/json` without the browser asking this server first, which it never
 * approves. Runs after auth, so a caller without a key hears that first.
 */
export function registerJsonWrites(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.access === undefined) return;
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!BODY_METHODS.has(req.method) && !hasBody) return;
    const type = req.headers['content-type'];
    if (isJson(type)) return;
    throw new BatonError(
      'unsupported_media_type',
      `Content-Type: send ${req.method} requests as JSON, with Content-Type: application/json${type ? ` (not ${type.slice(0, 60)})` : ''}`,
      { field: 'Content-Type' },
    );
  });
  // A write without fields (`POST /tasks/7/pause`) may say it is JSON and send nothing.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.decorateRequest('rawBody', null);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // Kept as sent: a signature covers these bytes, not the JSON they parse to (inbound hooks).
    req.rawBody = body as string;
    if (body === '') done(null, undefined);
    else json(req, body as string, done);
  });
}
