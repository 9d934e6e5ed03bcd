import { z } from 'zod';
import { LIMITS } from '../core/limits.js';
import { ASSIGNMENT_MODES, ENV_NAME_PATTERN, LOG_READERS } from '../core/policy.js';
import { capabilitiesSchema, nameSchema } from '../core/schemas/fields.js';
import { PRIORITIES, RETRY_POLICIES } from '../core/types.js';
import { parseSeconds } from '../core/values.js';

/** Durations may be written as seconds (`300`) or with a unit (`5m`, `90s`). */
const seconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseSeconds(v, 'duration');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
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
});

export const configSchema = z.strictObject({
  lease: seconds.optional(),
  heartbeatTimeout: seconds.optional(),
  /** Default per-attempt timeout of a task. */
  timeout: seconds.optional(),
  maxRetries: z.number().int().min(0).max(LIMITS.maxRetries).optional(),
  retry: z
    .strictObject({
      policy: z.enum(RETRY_POLICIES).optional(),
      base: seconds.optional(),
      max: seconds.optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
  review: z.strictObject({ requiredFor: z.array(z.enum(PRIORITIES)).optional() }).optional(),
  aging: z.strictObject({ minutesPerLevel: z.number().positive().optional() }).optional(),
  /** `hybrid` pushes critical tasks to the best-fitting idle worker; `pull` (default) never pushes. */
  assignment: z.enum(ASSIGNMENT_MODES).optional(),
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
  workers: z.strictObject({ forgetAfter: seconds.optional() }).optional(),
  server: serverSection.optional(),
});
