import { z } from 'zod';
import { jsonBytes, LIMITS } from '../limits.js';
import { cronProblem, readRunAfter, timezoneProblem } from '../recurrence.js';
import { type ResourceSpec, readResourceSpec, resourceText } from '../resources.js';
import { jsonProblem, textProblem } from '../text.js';
import { RETRY_POLICIES } from '../types.js';

/**
 * Building blocks of the input schemas. Each states its limit in its message, so a refusal tells
 * the caller what would have been accepted.
 */

export const tooLong = (max: number) => `must be at most ${max} characters`;
export const tooMany = (max: number) => `must have at most ${max} entries`;

/** Text keeps one rule on every door: no NUL, no unpaired surrogate (see `core/text.ts`). */
const cleanText = (value: string, ctx: z.core.$RefinementCtx<string>) => {
  const problem = textProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/** A string of at most `max` characters, kept as given. */
export const chars = (max: number) => z.string().max(max, tooLong(max)).superRefine(cleanText);

/** Trimmed, then at most `max` characters; may end up empty. */
export const trimmed = (max: number) => z.string().trim().max(max, tooLong(max)).superRefine(cleanText);

/** Trimmed, then 1 to `max` characters. */
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, tooLong(max)).superRefine(cleanText);

/** Any JSON value of at most `maxBytes` bytes as UTF-8 JSON, nested at most `LIMITS.jsonDepth` deep. */
export const json = (maxBytes: number) =>
  z.unknown().superRefine((value, ctx) => {
    if (value === undefined) return;
    const problem = jsonProblem(value, LIMITS.jsonDepth);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
      return;
    }
    const bytes = jsonBytes(value);
    if (bytes === null) ctx.addIssue({ code: 'custom', message: 'must be a JSON value' });
    else if (bytes > maxBytes)
      ctx.addIssue({ code: 'custom', message: `must be at most ${maxBytes} bytes as JSON (got ${bytes})` });
  });

export const taskIdSchema = z.number().int('must be a whole number').positive('must be a positive task id');

export const nameSchema = text(LIMITS.nameChars);

/** A list of names (capabilities, tags): at most `max` of them, duplicates dropped. */
export const names = (max: number) =>
  z
    .array(nameSchema)
    .max(max, tooMany(max))
    .transform((v) => [...new Set(v)]);

export const capabilitiesSchema = names(LIMITS.capabilities);

/**
 * The resources a task holds while it executes, each `name` or `name:N` (N: the capacity, for a
 * resource not yet known or to state the one it has). One entry per name (`resourceSpecs` reads them).
 */
export const resourcesSchema = z
  .array(z.string().max(LIMITS.nameChars + 10, tooLong(LIMITS.nameChars + 10)))
  .max(LIMITS.resources, tooMany(LIMITS.resources))
  .transform((list, ctx) => {
    const specs = new Map<string, ResourceSpec>();
    for (const [i, text] of list.entries()) {
      const spec = readResourceSpec(text);
      if ('problem' in spec) {
        ctx.addIssue({ code: 'custom', message: spec.problem, path: [i] });
        return z.NEVER;
      }
      const seen = specs.get(spec.name);
      if (seen && seen.capacity !== null && spec.capacity !== null && seen.capacity !== spec.capacity) {
        ctx.addIssue({ code: 'custom', message: `${spec.name} is given two capacities`, path: [i] });
        return z.NEVER;
      }
      specs.set(spec.name, { name: spec.name, capacity: spec.capacity ?? seen?.capacity ?? null });
    }
    // Kept as text (`name`, `name:N`), so the output parses again to itself: a door may validate first.
    return [...specs.values()].map(resourceText);
  })
  .describe('resources held while executing: "name" or "name:N" (N = how many holders may execute at once; default 1)');
export const tagsSchema = names(LIMITS.tags);

export const workerIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameChars, tooLong(LIMITS.nameChars))
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

/** A start time: an ISO-8601 time with offset, or a delay from now such as `10m`, `2h`, `1d`. */
export const runAfterSchema = z
  .string()
  .max(LIMITS.nameChars, tooLong(LIMITS.nameChars))
  .superRefine((value, ctx) => {
    const read = readRunAfter(value, 0);
    if ('problem' in read) ctx.addIssue({ code: 'custom', message: read.problem });
  })
  .describe('when the task may be claimed: an ISO-8601 time with offset, or a delay from now such as "10m", "2h", "1d"');

/** A cron expression of a recurring task (five fields, or six with seconds first). */
export const cronSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameChars, tooLong(LIMITS.nameChars))
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('a cron expression: "minute hour day month weekday", e.g. "0 9 * * 1-5" (or six fields, seconds first)');

/** An IANA time zone name. */
export const timezoneSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameChars, tooLong(LIMITS.nameChars))
  .superRefine((value, ctx) => {
    const problem = timezoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('the IANA time zone the cron expression is read in, e.g. "Europe/Paris" (default UTC)');

/** The fencing token of a claim. */
export const tokenSchema = z.number().int('must be a positive whole number').positive('must be a positive whole number');

export const percentSchema = z
  .number('must be a number from 0 to 100')
  .min(0, 'must be a number from 0 to 100')
  .max(100, 'must be a number from 0 to 100');

/** A duration in seconds, more than 0 and at most `max`. */
export const seconds = (max: number) =>
  z.number().positive('must be a positive number of seconds').max(max, `must be at most ${max} seconds`);

export const isoTimeSchema = z.iso.datetime({ offset: true });

export const retryPolicySchema = z.strictObject({
  policy: z.enum(RETRY_POLICIES),
  baseSeconds: z.number().min(0).max(LIMITS.retryBaseSeconds),
  maxSeconds: z.number().min(0).max(LIMITS.durationSeconds),
  jitter: z.number().min(0).max(1),
});
