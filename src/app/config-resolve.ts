import type { z } from 'zod';
import { BatonError } from '../core/errors.js';
import { parseExpression } from '../core/expression.js';
import type { githubSection, hooksSection, jwtSection } from './config-integrations.js';
import type { GithubSettings, InboundHookSettings, JwtSettings } from './integration-types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A secret given inline or by the name of the variable holding it; a named variable must be set. */
function secretOf(inline: string | undefined, envName: string | undefined, env: Env, field: string): string {
  if (inline !== undefined) return inline;
  const value = env[envName as string];
  if (!value) {
    throw new BatonError('invalid_config', `config.yaml ${field}: the variable ${envName} is not set`, { field });
  }
  return value;
}

export function jwtSettings(c: z.output<typeof jwtSection>, env: Env): JwtSettings {
  const secret = c.jwksUrl === undefined ? secretOf(c.secret, c.secretEnv, env, 'auth.jwt.secretEnv') : null;
  return {
    secret,
    jwksUrl: c.jwksUrl ?? null,
    issuer: c.issuer ?? null,
    audience: c.audience ?? null,
    roleClaim: c.roleClaim ?? 'role',
    roleMap: c.roleMap ?? null,
    workerClaim: c.workerClaim ?? 'sub',
    clockToleranceSeconds: c.clockTolerance ?? 30,
    jwksCooldownMs: (c.jwksCooldown ?? 30) * 1000,
  };
}

export function inboundHooks(c: z.output<typeof hooksSection> | undefined, env: Env): Record<string, InboundHookSettings> {
  const out: Record<string, InboundHookSettings> = {};
  for (const [name, h] of Object.entries(c ?? {})) {
    checkExpressions(name, { when: h.when, ...h.task, ...h.run?.params });
    out[name] = {
      secret: secretOf(h.secret, h.secretEnv, env, `hooks.${name}.secretEnv`),
      signature: h.signature ?? 'github',
      when: h.when ?? null,
      task: h.task ?? null,
      run: h.run ? { workflow: h.run.workflow, params: h.run.params ?? {} } : null,
    };
  }
  return out;
}

/** A hook's expressions are read once, when the config is: a typo is refused then, not per delivery. */
function checkExpressions(hook: string, expressions: Record<string, string | undefined>): void {
  for (const [field, text] of Object.entries(expressions)) {
    if (text === undefined) continue;
    const parsed = parseExpression(text);
    if (!parsed.ok) {
      throw new BatonError('invalid_config', `config.yaml hooks.${hook}.${field}: ${parsed.message} (at ${parsed.offset})`, {
        field: `hooks.${hook}.${field}`,
      });
    }
  }
}

export const DEFAULT_GITHUB_API = 'https://api.github.com';

export function githubSettings(c: z.output<typeof githubSection> | undefined, env: Env): GithubSettings {
  return {
    apiUrl: (c?.apiUrl ?? env.GITHUB_API_URL ?? DEFAULT_GITHUB_API).replace(/\/+$/, ''),
    token: env[c?.tokenEnv ?? 'GITHUB_TOKEN'] || null,
    repos: c?.repos ?? [],
  };
}
