import { z } from 'zod';
import { REPO_PATTERN } from '../core/github.js';
import { API_KEY_ROLES } from '../core/types.js';

/**
 * The config sections of what reaches Baton from outside: bearer JWTs (`auth.jwt`), inbound hooks
 * (`hooks`) and GitHub (`github`). Kept apart from `config-schema.ts` for its size.
 */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const claimPath = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^.]+(\.[^.]+)*$/, 'a claim name, or a dotted path into nested claims (realm_access.roles)');

/** Bearer JWTs, beside API keys: signed with a shared secret (HS256) or by an issuer's JWKS. */
export const jwtSection = z
  .strictObject({
    /** The shared HS256 secret, or `secretEnv`: the variable holding it. */
    secret: z.string().min(32, 'an HS256 secret needs at least 32 characters').optional(),
    secretEnv: envName.optional(),
    /** The issuer's key set (RS256, ES256), fetched and cached; an unknown `kid` fetches it again. */
    jwksUrl: z.url().optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    /** Claim holding the caller's role (a string or a list); default `role`. */
    roleClaim: claimPath.optional(),
    /** A claim value → a Baton role; without it the claim must name the role itself. */
    roleMap: z.record(z.string().min(1), z.enum(API_KEY_ROLES)).optional(),
    /** Claim holding a worker's id (default `sub`): a worker token acts only as that worker. */
    workerClaim: claimPath.optional(),
    /** Seconds of clock difference allowed on `exp`/`nbf` (default 30 s). */
    clockTolerance: z.number().int().min(0).max(300).optional(),
    /** Least time between two fetches of the key set (default 30 s). */
    jwksCooldown: z.number().min(0).max(3600).optional(),
  })
  .refine((j) => [j.secret, j.secretEnv, j.jwksUrl].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of secret, secretEnv or jwksUrl',
  });

export const authSection = z.strictObject({ jwt: jwtSection.optional() });

/** A value of an inbound hook's mapping: a CEL expression over `payload` and `headers`. */
const expression = z.string().trim().min(1).max(2000);

/** One inbound hook: a signed JSON body becomes a task or a workflow run. */
export const inboundHookSection = z
  .strictObject({
    /** The HMAC secret, or `secretEnv`: the variable holding it. */
    secret: z.string().min(16, 'a hook secret needs at least 16 characters').optional(),
    secretEnv: envName.optional(),
    /**
     * How the body is signed: `github` (`X-Hub-Signature-256: sha256=<hex>`, delivery id in
     * `X-GitHub-Delivery`) or `baton` (`baton-signature: t=…,v1=…`, as Baton's own webhooks sign;
     * delivery id in `baton-delivery`). Default `github`.
     */
    signature: z.enum(['github', 'baton']).optional(),
    /** Only payloads for which this expression is true act; others are accepted and ignored. */
    when: expression.optional(),
    /** The task made: each field an expression (`title` required). */
    task: z
      .strictObject({
        title: expression,
        description: expression.optional(),
        priority: expression.optional(),
        tags: expression.optional(),
        capabilities: expression.optional(),
        queue: expression.optional(),
      })
      .optional(),
    /** Or the workflow run started: its params, each an expression. */
    run: z.strictObject({ workflow: z.string().min(1).max(200), params: z.record(z.string(), expression).optional() }).optional(),
  })
  .refine((h) => (h.secret === undefined) !== (h.secretEnv === undefined), { message: 'give one of secret or secretEnv' })
  .refine((h) => (h.task === undefined) !== (h.run === undefined), { message: 'give one of task or run' });

export const hooksSection = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a hook name: lowercase letters, digits, - and _ (up to 63)'),
  inboundHookSection,
);

/** GitHub issues: where its API is and which variable holds the token. */
export const githubSection = z.strictObject({
  /** The REST API's base URL (default `GITHUB_API_URL`, else https://api.github.com). */
  apiUrl: z.url().optional(),
  /** The variable holding the token (default `GITHUB_TOKEN`). */
  tokenEnv: envName.optional(),
  /** The repositories `baton github sync` keeps in step (those imported are kept too). */
  repos: z.array(z.string().regex(REPO_PATTERN, 'OWNER/REPO')).optional(),
});
