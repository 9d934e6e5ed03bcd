import type { FastifyInstance } from 'fastify';
import { BatonError, isBatonError } from '../core/errors.js';
import type { Principal } from './auth.js';
import { redactValue, seesPaths, withoutPaths } from './redact.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
});

/** Every refusal as `{error: {code, message, details}}`, and the headers every answer carries. */
export function registerErrors(app: FastifyInstance, options: { corsOrigins?: readonly string[] | undefined }): void {
  app.setErrorHandler((err, req, reply) => {
    const error = toBatonError(err);
    if (error.category === 'internal') req.log.error({ err }, 'request failed');
    else req.log.debug({ code: error.code, url: req.url }, error.message);
    void reply.status(error.httpStatus).send({ error: refusalOf(error, req.principal) });
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
}

/** A refusal as it travels; a caller who may not see the server's paths gets their file names only. */
export function refusalOf(
  error: BatonError,
  principal: Principal | null | undefined,
): { code: string; message: string; details: Record<string, unknown> } {
  // A refusal echoing the request's own URL shows no path of the server's.
  const plain = seesPaths(principal) || error.code === 'route_not_found';
  const message = plain ? error.message : withoutPaths(error.message);
  const details = plain ? (error.details ?? {}) : (redactValue(error.details ?? {}) as Record<string, unknown>);
  return { code: error.code, message, details };
}

/** Fastify's own refusals (bad JSON, too large, rate limited) as coded Baton errors; anything else is internal. */
export function toBatonError(err: unknown): BatonError {
  if (isBatonError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.statusCode === 413) return new BatonError('payload_too_large', 'the request body is too large');
  if (e.statusCode === 429) return new BatonError('rate_limited', e.message ?? 'too many requests');
  if (e.statusCode === 415) {
    return new BatonError('unsupported_media_type', 'Content-Type: send JSON with Content-Type: application/json', {
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
