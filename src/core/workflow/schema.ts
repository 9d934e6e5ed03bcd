import { z } from 'zod';

/**
 * The workflow definition format: a named graph of steps (tasks for workers, approvals, waits,
 * sub-workflows) with typed params and triggers. Every object is strict: a key the format does not
 * know is refused, so a misspelt `need:` never silently drops a dependency.
 */

/** A step id or workflow name: it is also a name in expressions (`steps.build.status`). */
export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `30s`, `20m`, `2h`, `2d`, `1h30m`, `500ms`. */
export const DURATION = /^(\d+(ms|s|m|h|d))+$/;

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const name = z.string().min(1).max(100);
const text = (max: number) => z.string().max(max);
const duration = z.string().regex(DURATION, 'a duration such as 30s, 20m, 2h or 2d');
/** An expression: `${{ steps.test.status == 'failed' }}` (the `${{ }}` may be left out). */
const expression = z.string().min(1).max(2_000);
const params = z.record(z.string(), z.unknown());

export const paramSpecSchema = z.strictObject({
  type: z.enum(PARAM_TYPES),
  description: text(2_000).optional(),
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  /** A regular expression a string value must match. */
  pattern: text(1_000).optional(),
  /** The values allowed. */
  enum: z.array(z.unknown()).min(1).optional(),
});

export const taskSpecSchema = z.strictObject({
  title: text(200).min(1),
  description: text(20_000).optional(),
  capabilities: z.array(name).max(50).optional(),
  tags: z.array(name).max(50).optional(),
  priority: z.enum(['critical', 'high', 'normal', 'low']).optional(),
  command: text(20_000).optional(),
  input: params.optional(),
  timeout: duration.optional(),
  retry: z.strictObject({ max: z.number().int().min(0).max(100), delay: duration.optional() }).optional(),
});

const eventFilterSchema = z.strictObject({
  /** An event type of the log, such as `task.completed`. */
  type: name,
  /** Only events of tasks carrying this tag. */
  tag: name.optional(),
  /** A condition over the event (`event.data...`). */
  if: expression.optional(),
});

/** One of `duration`, `until` (a time, ISO-8601, or an expression) or `event` (see validate.ts). */
export const waitSchema = z.strictObject({
  duration: duration.optional(),
  until: text(200).min(1).optional(),
  event: eventFilterSchema.optional(),
  /** How long an `event` wait lasts at most. */
  timeout: duration.optional(),
});

export const stepSchema = z.strictObject({
  id: z.string().regex(STEP_ID, 'a step id is letters, digits and _ (it is a name in expressions: steps.<id>)'),
  name: text(200).optional(),
  needs: z.array(z.string()).max(1_000).optional(),
  if: expression.optional(),
  foreach: z.union([expression, z.array(z.unknown())]).optional(),
  max_parallel: z.number().int().min(1).optional(),
  loop: z.strictObject({ until: expression, max: z.number().int().min(1).max(10_000), every: duration.optional() }).optional(),
  task: taskSpecSchema.optional(),
  approval: z
    .strictObject({ by: z.array(name).min(1), timeout: duration.optional(), message: text(2_000).optional() })
    .optional(),
  wait: waitSchema.optional(),
  workflow: z.strictObject({ name: z.string().regex(WORKFLOW_NAME), params: params.optional() }).optional(),
  continue_on_error: z.boolean().optional(),
});

/** Either `cron` (with an optional IANA `timezone`) or `event` (see validate.ts). */
export const triggerSchema = z.strictObject({
  cron: text(200).min(1).optional(),
  timezone: text(100).optional(),
  event: eventFilterSchema.optional(),
  params: params.optional(),
});

export const workflowDefinitionSchema = z.strictObject({
  name: z
    .string()
    .regex(WORKFLOW_NAME, 'a workflow name is letters, digits, _, . and - (starting with a letter or digit)')
    .max(100),
  description: text(2_000).optional(),
  params: z.record(z.string().regex(STEP_ID, 'a param name is letters, digits and _'), paramSpecSchema).optional(),
  steps: z.array(stepSchema).min(1).max(1_000),
  on_failure: z.array(z.string()).optional(),
  triggers: z.array(triggerSchema).optional(),
});

export type ParamSpec = z.output<typeof paramSpecSchema>;
export type StepDefinition = z.output<typeof stepSchema>;
export type TriggerDefinition = z.output<typeof triggerSchema>;
export type WorkflowDefinition = z.output<typeof workflowDefinitionSchema>;

/** The kinds of work a step does; exactly one per step (`loop` repeats a task). */
export const STEP_KINDS = ['task', 'approval', 'wait', 'workflow'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
