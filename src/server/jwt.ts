import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { JwtSettings } from '../app/integration-types.js';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { API_KEY_ROLES, type ApiKeyRole } from '../core/types.js';
import type { Principal } from './auth.js';

/** A bearer token shaped as a JWS (three base64url parts); API keys never are. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export const looksLikeJwt = (token: string): boolean => JWT_SHAPE.test(token);

/** The strongest role first: a token naming several roles acts with the strongest. */
const ROLE_ORDER: readonly ApiKeyRole[] = ['admin', 'worker', 'viewer'];

/**
 * Bearer JWTs: verified with a shared HS256 secret or an issuer's key set (RS256, ES256; fetched,
 * cached, fetched again for an unknown `kid` — a rotated key — at most once per cool-down).
 * `exp`, `nbf`, `iss` and `aud` are checked against the server's clock; `alg: none` and any
 * algorithm other than those of the key kind are refused before a signature is looked at.
 */
export class JwtVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(
    private readonly settings: Readonly<JwtSettings>,
    private readonly clock: Clock,
  ) {
    if (settings.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(settings.jwksUrl), {
        cooldownDuration: settings.jwksCooldownMs,
        timeoutDuration: 5_000,
      });
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.key = new TextEncoder().encode(settings.secret as string);
      this.algorithms = ['HS256'];
    }
  }

  /** Who the token speaks for; a refusal is `unauthenticated` (401) or, for a role it lacks, `forbidden` (403). */
  async verify(token: string): Promise<Principal> {
    const payload = await this.claims(token);
    const role = this.roleOf(payload);
    const subject = typeof payload.sub === 'string' ? payload.sub : 'unknown';
    if (role !== 'worker') return { role, workerId: null, keyId: `jwt:${subject}`, key: null, actor: `jwt:${subject}` };
    const workerId = claimAt(payload, this.settings.workerClaim);
    if (typeof workerId !== 'string' || workerId.trim() === '') {
      throw new BatonError('forbidden', `a worker token needs the worker id in its ${this.settings.workerClaim} claim`, {
        claim: this.settings.workerClaim,
      });
    }
    return { role, workerId, keyId: `jwt:${subject}`, key: null, actor: workerId };
  }

  private async claims(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key as JWTVerifyGetKey, {
        algorithms: this.algorithms,
        currentDate: new Date(this.clock.now()),
        clockTolerance: this.settings.clockToleranceSeconds,
        ...(this.settings.issuer !== null && { issuer: this.settings.issuer }),
        ...(this.settings.audience !== null && { audience: this.settings.audience }),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (err) {
      throw refusal(err);
    }
  }

  private roleOf(payload: JWTPayload): ApiKeyRole {
    const raw = claimAt(payload, this.settings.roleClaim);
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    const map = this.settings.roleMap;
    const roles = values.map((v) => (map ? map[v] : (API_KEY_ROLES as readonly string[]).includes(v) ? v : undefined));
    const role = ROLE_ORDER.find((r) => roles.includes(r));
    if (!role) {
      throw new BatonError('forbidden', `the token's ${this.settings.roleClaim} claim names no Baton role`, {
        claim: this.settings.roleClaim,
      });
    }
    return role;
  }
}

/** A claim by name, or by a dotted path into nested claims (`realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** What the caller learns of a refused token: enough to fix a setup, nothing about the keys. */
function refusal(err: unknown): BatonError {
  const why =
    err instanceof errors.JWTExpired
      ? 'the token has expired'
      : err instanceof errors.JWTClaimValidationFailed
        ? `the token's ${err.claim} claim is not accepted (${err.reason})`
        : err instanceof errors.JOSEAlgNotAllowed
          ? 'the token is signed with an algorithm this server does not accept'
          : err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey
            ? 'the token’s signature does not verify'
            : err instanceof errors.JOSEError
              ? `the token is not valid (${err.code})`
              : 'the token could not be verified';
  // A key set that cannot be fetched says nothing about the token: the server is the one failing.
  if (err instanceof errors.JWKSTimeout || (err instanceof Error && !(err instanceof errors.JOSEError))) {
    return new BatonError('server_unavailable', 'the issuer’s key set (auth.jwt.jwksUrl) cannot be fetched now');
  }
  return new BatonError('unauthenticated', why);
}
