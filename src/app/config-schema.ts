import { z } from 'zod';
import { LIMITS } from '../core/limits.js';
import { ASSIGNMENT_MODES, ENV_NAME_PATTERN, LOG_READERS } from '../core/policy.js';
import { queueNameSchema } from '../core/queues.js';
import { capabilitiesSchema, nameSchema } from '../core/schemas/fields.js';
import { PRIORITIES, RETRY_POLICIES } from '../core/types.js';
import { parseSeconds } from '../core/values.js';
import { authSection, githubSection, hooksSection } from './config-integrations.js';

/** Durations may be written as seconds (`300`) or with a unit (`5m`, `90s`). */
const seconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseSeconds(v, 'duration');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Long durations: `6h`, `90d`, `2w` (or seconds); at least a minute, at most ten years. */
const period = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(s|m|h|d|w)?$/.exec(String(v).trim().toLowerCase());
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] ?? 's'] ?? 1) : Number.NaN;
  if (!(seconds >= 60 && seconds <= 10 * 365 * 86_400)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration from 1m to 10 years (use e.g. 6h, 90d, 2w)` });
    return z.NEVER;
  }
  return seconds;
});

const folder = z.string().trim().min(1).max(4096);

/** Scheduled backups, taken by `baton serve`; `dir` also receives `baton backup` without a file. */
const backupSection = z.strictObject({
  every: period.optional(),
  keep: z.number().int().min(1).max(10_000).optional(),
  dir: folder.optional(),
});

/** What the server removes (after archiving it) once it is older than this. */
const retentionSection = z.strictObject({
  events: period.optional(),
  completedTasks: period.optional(),
  /** Where removed rows are archived (NDJSON, gzip). */
  archive: folder.optional(),
  /** How often the server cleans up (default 1h). */
  every: period.optional(),
});

const breakdownSection = z.strictObject({
  mode: z.enum(['epic-only', 'recommended']).optional(),
  planner: z.enum(['rules', 'command', 'http']).optional(),
  command: z.string().trim().min(1).optional(),
  timeout: seconds.optional(),
  maxOutputBytes: z.number().int().positive().max(100_000_000).optional(),
  http: z
    .strictObject({
      url: z.url().optional(),
      model: z.string().trim().min(1).optional(),
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
        .optional(),
    })
    .optional(),
  /**
   * A pattern step's capability label → the capabilities its subtasks need in this store
   * (`database: [sql]`, `testing: qa`); labels not named here add nothing to a subtask.
   */
  capabilities: z
    .record(
      nameSchema,
      z.union([nameSchema.transform((c) => [c]), capabilitiesSchema], {
        error: 'expected a capability or a list of capabilities',
      }),
    )
    .optional(),
});

const envNames = z.array(z.string().regex(ENV_NAME_PATTERN, 'must be a variable name, or a pattern of names with *'));
/** `baton serve`'s settings; its flags, when given, win. */
const serverSection = z.strictObject({
  /** Names the server is reached by (`Host`), besides loopback and the address it listens on. */
  allowedHosts: z.array(z.string().trim().min(1).max(255)).optional(),
  /** Lets any caller who may create tasks set their shell commands (= run code on workers). */
  allowCommands: z.boolean().optional(),
  /** Wrong API keys an address may present per minute (0: no limit). */
  authFailures: z.number().int().min(0).optional(),
  /** Proxies whose X-Forwarded-For is believed: `true` (any), or their addresses and CIDR ranges. */
  trustProxy: z.union([z.boolean(), z.array(z.string().trim().min(1).max(64))]).optional(),
  /** HTTPS: files of the certificate (chain) and its private key, in PEM. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});

const count = z.number().int('must be a whole number').min(1).max(1_000_000);
const retrySection = z.strictObject({
  policy: z.enum(RETRY_POLICIES).optional(),
  base: seconds.optional(),
  max: seconds.optional(),
  jitter: z.number().min(0).max(1).optional(),
});

/** A named queue's settings (`core/queues.ts`). */
const queueSection = z.strictObject({
  maxSize: count.optional(),
  maxExecuting: count.optional(),
  timeout: seconds.optional(),
  maxRetries: z.number().int().min(0).max(LIMITS.maxRetries).optional(),
  retry: retrySection.optional(),
  priorityBoost: z.number().int().min(-4).max(4).optional(),
  alertOver: z.number().int().min(0).optional(),
  assignment: z.enum(ASSIGNMENT_MODES).optional(),
});

export const configSchema = z.strictObject({
  lease: seconds.optional(),
  heartbeatTimeout: seconds.optional(),
  /** Default per-attempt timeout of a task. */
  timeout: seconds.optional(),
  maxRetries: z.number().int().min(0).max(LIMITS.maxRetries).optional(),
  retry: retrySection.optional(),
  review: z.strictObject({ requiredFor: z.array(z.enum(PRIORITIES)).optional() }).optional(),
  aging: z.strictObject({ minutesPerLevel: z.number().positive().optional() }).optional(),
  /** `pull` (default), `push` (every ready task), `hybrid` (critical tasks pushed), `auction` (workers bid). */
  assignment: z.enum(ASSIGNMENT_MODES).optional(),
  /** `push` assignment: a pushed task not claimed within `acceptWithin` goes to the next best worker. */
  push: z.strictObject({ acceptWithin: seconds.pipe(z.number().positive()).optional() }).optional(),
  /** `auction` assignment: how long bids are taken (`2s` by default). */
  auction: z.strictObject({ window: seconds.pipe(z.number().positive().max(3600)).optional() }).optional(),
  /** Longest wait of a ready task before it counts as an SLA breach, per priority (`5m`, `4h`). */
  sla: z.partialRecord(z.enum(PRIORITIES), seconds).optional(),
  /** What one claim may take: at most `maxTasks` tasks, a lease of at most `maxLease`. */
  claims: z
    .strictObject({
      maxTasks: z.number().int().min(1).max(LIMITS.claimLimit).optional(),
      maxLease: seconds.pipe(z.number().positive().max(LIMITS.durationSeconds)).optional(),
    })
    .optional(),
  // `breakdown: recommended` is short for `breakdown: { mode: recommended }`.
  breakdown: z
    .union(
      [z.enum(['epic-only', 'recommended']).transform((mode): z.infer<typeof breakdownSection> => ({ mode })), breakdownSection],
      { error: 'expected epic-only, recommended, or a section { mode, planner, command, timeout, http }' },
    )
    .optional(),
  /** What a worker's commands see of its environment; Baton's own secrets pass only when `allow` names them. */
  worker: z
    .strictObject({ env: z.strictObject({ allow: envNames.optional(), deny: envNames.optional() }).optional() })
    .optional(),
  logs: z.strictObject({ readers: z.enum(LOG_READERS).optional() }).optional(),
  /** Workers offline for longer than `forgetAfter` (default 24 h) are no longer listed. */
  /** `breaker`: the circuit breaker of a worker started without `--breaker` (`5,10m`; true: the defaults). */
  workers: z
    .strictObject({
      forgetAfter: seconds.optional(),
      breaker: z.union([z.string(), z.literal(true), z.number().int().positive()]).optional(),
    })
    .optional(),
  server: serverSection.optional(),
  backup: backupSection.optional(),
  retention: retentionSection.optional(),
  /** Store-wide caps: `maxExecuting` leased tasks executing at once. */
  limits: z.strictObject({ maxExecuting: count.optional() }).optional(),
  /** Named queues and their settings, by name. */
  queues: z.record(queueNameSchema, queueSection).optional(),
  /** Outbound webhooks: how `baton serve` delivers (`poll`, `timeout`, `backoff`, `maxFailures`, `settle`). */
  webhooks: z
    .strictObject({
      poll: seconds.optional(),
      timeout: seconds.optional(),
      backoff: seconds.optional(),
      maxFailures: z.number().int().min(1).max(1000).optional(),
      settle: z.union([z.literal(0), seconds]).optional(),
    })
    .optional(),
  /**
   * The fleet `baton serve` runs beside it (as `serve --fleet`, whose flag wins): a fleet file's
   * path (from `.baton/`), or the file's content inline (`{ pools: [...] }`, checked when serve starts).
   */
  fleet: z
    .union([z.string().min(1), z.looseObject({ pools: z.array(z.unknown()) })], {
      error: 'expected a fleet file path or an inline fleet { pools: [...] }',
    })
    .optional(),
  /** Alerts: how often `baton serve` looks (`every`), and `readyOver`: ready tasks that raise `ready_over`. */
  alerts: z.strictObject({ every: seconds.optional(), readyOver: z.number().int().min(0).optional() }).optional(),
  /** Bearer JWTs beside API keys (`auth.jwt`). */
  auth: authSection.optional(),
  /** Inbound hooks by name: `POST /api/v1/hooks/:name` with a signed JSON body makes a task or a run. */
  hooks: hooksSection.optional(),
  /** GitHub issues import and sync. */
  github: githubSection.optional(),
});
