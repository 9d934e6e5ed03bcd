import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { type BreakerConfig, parseBreakerSpec } from '../core/breaker.js';
import { BatonError } from '../core/errors.js';
import { DEFAULT_POLICY, type Policy } from '../core/policy.js';
import type { QueueSettings } from '../core/queues.js';
import { githubSettings, inboundHooks, jwtSettings } from './config-resolve.js';
import type { configSchema } from './config-schema.js';
import type { JwtSettings } from './integration-types.js';
import { DEFAULT_NOTIFY } from './maintenance-service.js';
import type { MaintenanceSettings } from './maintenance-types.js';

/**
 * `.baton/config.yaml`, validated once and frozen. Absent file → defaults; a malformed one is
 * refused with the file and the reason.
 */
export async function loadPolicy(file: string | null): Promise<Readonly<Policy>> {
  const c = await readConfig(file);
  if (!c) return DEFAULT_POLICY;
  const maxLease = c.claims?.maxLease ?? DEFAULT_POLICY.claims.maxLeaseSeconds;
  if ((c.lease ?? DEFAULT_POLICY.leaseSeconds) > maxLease) {
    throw new BatonError('invalid_config', `${file}: lease: must be at most claims.maxLease (${maxLease} seconds)`, { file });
  }
  const policy: Policy = {
    leaseSeconds: c.lease ?? DEFAULT_POLICY.leaseSeconds,
    heartbeatTimeoutSeconds: c.heartbeatTimeout ?? DEFAULT_POLICY.heartbeatTimeoutSeconds,
    maxRetries: c.maxRetries ?? DEFAULT_POLICY.maxRetries,
    retry: {
      policy: c.retry?.policy ?? DEFAULT_POLICY.retry.policy,
      baseSeconds: c.retry?.base ?? DEFAULT_POLICY.retry.baseSeconds,
      maxSeconds: c.retry?.max ?? DEFAULT_POLICY.retry.maxSeconds,
      jitter: c.retry?.jitter ?? DEFAULT_POLICY.retry.jitter,
    },
    reviewRequiredFor: c.review?.requiredFor ?? DEFAULT_POLICY.reviewRequiredFor,
    agingMinutesPerLevel: c.aging?.minutesPerLevel ?? DEFAULT_POLICY.agingMinutesPerLevel,
    taskTimeoutSeconds: c.timeout ?? DEFAULT_POLICY.taskTimeoutSeconds,
    assignment: c.assignment ?? DEFAULT_POLICY.assignment,
    pushAcceptWithinSeconds: c.push?.acceptWithin ?? DEFAULT_POLICY.pushAcceptWithinSeconds,
    auctionWindowSeconds: c.auction?.window ?? DEFAULT_POLICY.auctionWindowSeconds,
    slaSeconds: { ...DEFAULT_POLICY.slaSeconds, ...c.sla },
    breakdown: breakdownPolicy(c.breakdown),
    claims: {
      maxTasks: c.claims?.maxTasks ?? DEFAULT_POLICY.claims.maxTasks,
      maxLeaseSeconds: maxLease,
    },
    commandEnv: {
      allow: c.worker?.env?.allow ?? DEFAULT_POLICY.commandEnv.allow,
      deny: c.worker?.env?.deny ?? DEFAULT_POLICY.commandEnv.deny,
    },
    logReaders: c.logs?.readers ?? DEFAULT_POLICY.logReaders,
    forgetWorkersAfterSeconds: c.workers?.forgetAfter ?? DEFAULT_POLICY.forgetWorkersAfterSeconds,
    maxExecuting: c.limits?.maxExecuting ?? null,
    queues: queueSettings(c.queues, c.retry),
    workerBreaker: breakerDefault(c.workers?.breaker),
  };
  return deepFreeze(policy);
}

function breakerDefault(spec: string | true | number | undefined): BreakerConfig | null {
  if (spec === undefined) return DEFAULT_POLICY.workerBreaker;
  try {
    return parseBreakerSpec(spec === true ? '' : String(spec));
  } catch (err) {
    throw new BatonError('invalid_config', `config.yaml workers.breaker: ${(err as Error).message}`, {
      field: 'workers.breaker',
    });
  }
}

type ConfigFile = z.output<typeof configSchema>;

/** The file, validated; null when there is none. */
async function readConfig(file: string | null): Promise<ConfigFile | null> {
  if (!file || !existsSync(file)) return null;
  // Loaded only when there is a file to read: most stores have none, and every command opens one.
  const [{ parse }, { configSchema }] = await Promise.all([import('yaml'), import('./config-schema.js')]);
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new BatonError('invalid_config', `${file}: ${(err as Error).message.split('\n')[0]}`, { file });
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BatonError('invalid_config', `${file}: ${issue?.path.join('.') || 'config'}: ${issue?.message}`, { file });
  }
  return result.data;
}

/** The `server:` section of the config: what `baton serve` does unless its flags say otherwise. */
export interface ServerConfig {
  allowedHosts?: string[] | undefined;
  allowCommands?: boolean | undefined;
  authFailures?: number | undefined;
  trustProxy?: boolean | string[] | undefined;
  tls?: { cert: string; key: string } | undefined;
}

export async function loadServerConfig(file: string | null): Promise<Readonly<ServerConfig>> {
  return deepFreeze({ ...(await readConfig(file))?.server });
}

/** The config's `auth.jwt`, its secret read from the environment; null when JWTs are not accepted. */
export async function loadJwtConfig(file: string | null): Promise<Readonly<JwtSettings> | null> {
  const jwt = (await readConfig(file))?.auth?.jwt;
  return jwt ? deepFreeze(jwtSettings(jwt, process.env)) : null;
}

/** The `fleet:` of the config: a fleet file (its path resolved from the config's folder), the fleet inline, or none. */
export async function loadFleetConfig(
  file: string,
): Promise<{ path: string } | { inline: Readonly<Record<string, unknown>> } | null> {
  const fleet = (await readConfig(file))?.fleet;
  if (fleet === undefined) return null;
  return typeof fleet === 'string' ? { path: resolve(dirname(file), fleet) } : { inline: deepFreeze({ ...fleet }) };
}

/**
 * The `backup:` and `retention:` sections: folders default to `backups/` and `archive/` beside the
 * config (the store's `.baton/`), and a relative folder is read from there too.
 */
export async function loadMaintenance(file: string): Promise<Readonly<MaintenanceSettings>> {
  const c = await readConfig(file);
  const base = dirname(file);
  const ms = (seconds: number | undefined) => (seconds === undefined ? null : seconds * 1000);
  const hooks = DEFAULT_NOTIFY.webhooks;
  return deepFreeze({
    backup: {
      everyMs: ms(c?.backup?.every),
      keep: c?.backup?.keep ?? 10,
      dir: resolve(base, c?.backup?.dir ?? 'backups'),
    },
    retention: {
      eventsMs: ms(c?.retention?.events),
      completedTasksMs: ms(c?.retention?.completedTasks),
      archiveDir: resolve(base, c?.retention?.archive ?? 'archive'),
      everyMs: ms(c?.retention?.every) ?? 3_600_000,
    },
    webhooks: {
      pollMs: ms(c?.webhooks?.poll) ?? hooks.pollMs,
      timeoutMs: ms(c?.webhooks?.timeout) ?? hooks.timeoutMs,
      backoffMs: ms(c?.webhooks?.backoff) ?? hooks.backoffMs,
      maxFailures: c?.webhooks?.maxFailures ?? hooks.maxFailures,
      settleMs: ms(c?.webhooks?.settle) ?? hooks.settleMs,
    },
    alerts: {
      everyMs: ms(c?.alerts?.every) ?? DEFAULT_NOTIFY.alerts.everyMs,
      readyOver: c?.alerts?.readyOver ?? null,
    },
    hooks: inboundHooks(c?.hooks, process.env),
    github: githubSettings(c?.github, process.env),
  });
}

/** Each named queue's settings; a queue's `retry` fills in what it omits from the store-wide one. */
function queueSettings(queues: ConfigFile['queues'], retry: ConfigFile['retry']): Record<string, QueueSettings> {
  const out: Record<string, QueueSettings> = {};
  for (const [name, q] of Object.entries(queues ?? {})) {
    const r = q.retry && { ...retry, ...q.retry };
    const d = DEFAULT_POLICY.retry;
    out[name] = {
      maxSize: q.maxSize ?? null,
      maxExecuting: q.maxExecuting ?? null,
      timeoutSeconds: q.timeout ?? null,
      maxRetries: q.maxRetries ?? null,
      retry: r
        ? {
            policy: r.policy ?? d.policy,
            baseSeconds: r.base ?? d.baseSeconds,
            maxSeconds: r.max ?? d.maxSeconds,
            jitter: r.jitter ?? d.jitter,
          }
        : null,
      priorityBoost: q.priorityBoost ?? 0,
      alertOver: q.alertOver ?? null,
      assignment: q.assignment ?? null,
    };
  }
  return out;
}

function breakdownPolicy(c: ConfigFile['breakdown']): Policy['breakdown'] {
  const d = DEFAULT_POLICY.breakdown;
  return {
    mode: c?.mode ?? d.mode,
    planner: c?.planner ?? d.planner,
    command: c?.command ?? d.command,
    timeoutSeconds: c?.timeout ?? d.timeoutSeconds,
    maxOutputBytes: c?.maxOutputBytes ?? d.maxOutputBytes,
    http: {
      url: c?.http?.url ?? d.http.url,
      model: c?.http?.model ?? d.http.model,
      apiKeyEnv: c?.http?.apiKeyEnv ?? d.http.apiKeyEnv,
    },
    capabilities: c?.capabilities ?? d.capabilities,
  };
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}
