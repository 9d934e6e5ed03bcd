import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { type BreakerConfig, parseBreakerSpec } from '../core/breaker.js';
import { BatonError } from '../core/errors.js';
import { type CrashPolicy, DEFAULT_CRASH_POLICY, DEFAULT_SCALE, type ScaleRules } from '../core/fleet.js';
import { queueNameSchema } from '../core/queues.js';
import { durationMs } from '../core/workflow/run.js';

/**
 * A fleet file (YAML or JSON): the pools a supervisor runs. Validated once and frozen; times are
 * `30s`, `5m`, `1h` or a number of seconds.
 */

const duration = z.union([
  z
    .number()
    .nonnegative()
    .transform((s) => s * 1000),
  z
    .string()
    .regex(/^(\d+(ms|s|m|h|d))+$/, 'a duration such as 30s, 5m or 1h')
    .transform(durationMs),
]);

const scaleSchema = z
  .strictObject({
    up_when: z.strictObject({ ready_per_worker: z.number().positive().optional(), for: duration.optional() }).optional(),
    down_when: z.strictObject({ idle_for: duration.optional() }).optional(),
    step: z.number().int().positive().optional(),
    cooldown: duration.optional(),
  })
  .optional();

const poolSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, . _ - (at most 60)'),
    capabilities: z.array(z.string().min(1)).default([]),
    /** The named queues its members serve (`baton worker --queues`); none: every queue. */
    queues: z.array(queueNameSchema).default([]),
    /** Each member's command per task (`baton worker --exec`); none: members run each task's own command. */
    exec: z.string().min(1).optional(),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).optional(),
    concurrency: z.number().int().min(1).max(1000).default(1),
    /** How long a member stopped by scaling down may finish its tasks (`baton worker --grace`). */
    grace: duration.default(30_000),
    /** `baton worker --breaker` of each member: `5,10m`; true for the defaults. */
    breaker: z.union([z.string(), z.literal(true), z.number().int().positive()]).optional(),
    lease: duration.optional(),
    scale: scaleSchema,
  })
  .refine((p) => p.max === undefined || p.max >= p.min, { message: 'max must be at least min', path: ['max'] });

const fleetSchema = z.strictObject({
  pools: z.array(poolSchema).min(1),
  /** How often the supervisor looks at the queue and its members. */
  tick: duration.default(2_000),
  restart: z
    .strictObject({
      backoff: duration.optional(),
      max_backoff: duration.optional(),
      degraded_after: z.number().int().positive().optional(),
      window: duration.optional(),
    })
    .optional(),
});

export interface PoolSpec {
  name: string;
  capabilities: string[];
  /** The queues it serves and scales by (empty: every queue). */
  queues: string[];
  exec: string | undefined;
  min: number;
  max: number;
  concurrency: number;
  graceMs: number;
  breaker: BreakerConfig | null;
  /** The `--breaker` argument as written (passed on to members). */
  breakerSpec: string | null;
  leaseMs: number | undefined;
  scale: ScaleRules;
}

export interface FleetSpec {
  pools: PoolSpec[];
  tickMs: number;
  crash: CrashPolicy;
}

export function readFleetFile(path: string): FleetSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BatonError('invalid_argument', `fleet file ${path}: ${(err as Error).message}`, { field: 'fleet' });
  }
  return parseFleet(text, path);
}

export function parseFleet(text: string, source = 'fleet file'): FleetSpec {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new BatonError('invalid_config', `${source}: not YAML or JSON: ${(err as Error).message}`);
  }
  return fleetOf(raw, source);
}

/** A fleet already read (the `fleet:` of config.yaml, inline), validated as a fleet file is. */
export function fleetOf(raw: unknown, source: string): FleetSpec {
  const result = fleetSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new BatonError('invalid_config', `${source}: ${problems.join('; ')}`, { problems });
  }
  const f = result.data;
  const names = f.pools.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new BatonError('invalid_config', `${source}: pool ${twice} is named twice`);
  const r = f.restart ?? {};
  const crash: CrashPolicy = {
    backoffMs: r.backoff ?? DEFAULT_CRASH_POLICY.backoffMs,
    maxBackoffMs: r.max_backoff ?? DEFAULT_CRASH_POLICY.maxBackoffMs,
    degradedAfter: r.degraded_after ?? DEFAULT_CRASH_POLICY.degradedAfter,
    windowMs: r.window ?? DEFAULT_CRASH_POLICY.windowMs,
  };
  return Object.freeze({ pools: f.pools.map(poolSpec), tickMs: Math.max(50, f.tick), crash });
}

function poolSpec(p: z.infer<typeof poolSchema>): PoolSpec {
  const breakerSpec = p.breaker === undefined ? null : p.breaker === true ? '' : String(p.breaker);
  return {
    name: p.name,
    capabilities: p.capabilities,
    queues: p.queues,
    exec: p.exec,
    min: p.min,
    max: p.max ?? Math.max(p.min, 1),
    concurrency: p.concurrency,
    graceMs: p.grace,
    breaker: breakerSpec === null ? null : parseBreakerSpec(breakerSpec),
    breakerSpec,
    leaseMs: p.lease,
    scale: {
      readyPerWorker: p.scale?.up_when?.ready_per_worker ?? DEFAULT_SCALE.readyPerWorker,
      upForMs: p.scale?.up_when?.for ?? DEFAULT_SCALE.upForMs,
      idleForMs: p.scale?.down_when?.idle_for ?? DEFAULT_SCALE.idleForMs,
      step: p.scale?.step ?? DEFAULT_SCALE.step,
      cooldownMs: p.scale?.cooldown ?? DEFAULT_SCALE.cooldownMs,
    },
  };
}
