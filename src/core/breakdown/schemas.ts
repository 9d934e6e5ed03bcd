import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { MAX_SUBTASKS } from './validate.js';

/**
 * Shapes that come from outside: a planner's answer and `.baton/patterns.yaml`. Loaded lazily
 * (zod is not needed to list tasks).
 */

const capability = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameChars, `must be at most ${LIMITS.nameChars} characters`);

/** What the `command` and `http` planners must answer: `{"subtasks":[…]}`, dependencies by index. */
export const plannerOutputSchema = z.object({
  subtasks: z
    .array(
      z.object({
        title: z
          .string()
          .trim()
          .min(1, 'must not be empty')
          .max(LIMITS.titleChars, `must be at most ${LIMITS.titleChars} characters`),
        description: z.string().max(LIMITS.descriptionChars).nullish(),
        capabilities: z.array(capability).max(LIMITS.capabilities).optional(),
        estimateMinutes: z.number().positive('must be a positive number of minutes').max(LIMITS.estimateMinutes).nullish(),
        dependsOn: z.array(z.number().int('must be whole numbers').min(0, 'must be indexes from 0')).max(MAX_SUBTASKS).optional(),
      }),
    )
    .min(1, 'must list at least one subtask')
    .max(MAX_SUBTASKS, `must list at most ${MAX_SUBTASKS} subtasks`),
});
export type PlannerOutput = z.output<typeof plannerOutputSchema>;

/** The planner's answer as a JSON Schema: published as docs/planner-output.schema.json for planner authors. */
export function plannerOutputJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(plannerOutputSchema, { io: 'input' }),
    title: 'Baton planner output',
    description:
      'What a command or http planner answers: the subtasks of the task it was given, in order; dependsOn lists indexes of earlier subtasks in this array.',
  };
}

const words = z.array(z.string().trim().min(1, 'must not be empty').max(100)).max(500);

const stepSchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be 1–50 letters, digits, _ or -'),
  title: z.string().trim().min(1, 'must not be empty').max(LIMITS.titleChars),
  description: z.string().max(LIMITS.descriptionChars).optional(),
  capabilities: z.array(capability).max(LIMITS.capabilities).optional(),
  share: z.number().positive('must be a positive number'),
  dependsOn: z.array(z.string()).optional(),
});

const patternSchema = z.strictObject({
  label: z.string().trim().min(1).max(100).optional(),
  keywords: words.default([]),
  intents: words.optional(),
  types: words.optional(),
  steps: z.array(stepSchema).min(1, 'must have at least one step').max(MAX_SUBTASKS),
});

/** `.baton/patterns.yaml`: `patterns: { name: { keywords, steps: [...] } }`. */
export const patternsFileSchema = z.strictObject({
  patterns: z.record(
    z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'pattern names are lower-case letters, digits and _'),
    patternSchema,
  ),
});
export type PatternsFile = z.output<typeof patternsFileSchema>;
