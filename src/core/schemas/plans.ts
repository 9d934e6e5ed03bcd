import { z } from 'zod';
import { PLANNER_NAMES } from '../breakdown/types.js';
import { LIMITS } from '../limits.js';
import { queueNameSchema } from '../queues.js';
import { PRIORITIES } from '../types.js';
import { readEstimate } from '../values.js';
import { capabilitiesSchema, chars, tagsSchema, taskIdSchema, text, tooMany } from './fields.js';

/** Inputs of plan import and export (`core/plan/`). */

const refSchema = z.union([z.number().int().positive(), text(LIMITS.nameChars)]);

export interface PlanNodeInput {
  ref?: number | string | undefined;
  title: string;
  description?: string | null | undefined;
  capabilities?: string[] | undefined;
  priority?: (typeof PRIORITIES)[number] | null | undefined;
  estimate?: string | undefined;
  estimateMinutes?: number | null | undefined;
  done?: boolean | undefined;
  dependsOn?: (number | string)[] | undefined;
  dependsOnTasks?: number[] | undefined;
  subtasks?: PlanNodeInput[] | undefined;
}

/**
 * One task of a JSON plan. `ref` names it for `dependsOn` (any number or text unique in the
 * plan); without refs, `dependsOn` numbers are positions in reading order from 1, as in Markdown.
 * What `plan export --format json` writes (ids, status, progress) is accepted and left aside.
 */
export const planNodeSchema: z.ZodType<PlanNodeInput> = z.lazy(() =>
  z.object({
    ref: refSchema.optional(),
    title: text(LIMITS.titleChars),
    description: chars(LIMITS.descriptionChars).nullable().optional(),
    capabilities: capabilitiesSchema.optional(),
    priority: z.enum(PRIORITIES).nullable().optional(),
    estimate: z
      .string()
      .max(LIMITS.nameChars)
      .refine((t) => 'minutes' in readEstimate(t), 'must be a duration such as 90m, 4h30m, 2d')
      .optional(),
    estimateMinutes: z.number().positive().max(LIMITS.estimateMinutes).nullable().optional(),
    done: z.boolean().optional(),
    dependsOn: z.array(refSchema).max(LIMITS.dependsOn, tooMany(LIMITS.dependsOn)).optional(),
    dependsOnTasks: z.array(taskIdSchema).max(LIMITS.dependsOn, tooMany(LIMITS.dependsOn)).optional(),
    subtasks: z.array(planNodeSchema).max(LIMITS.planTasks, tooMany(LIMITS.planTasks)).optional(),
  }),
);

export const planDocumentSchema = z.object({
  version: z.literal(1).optional(),
  tasks: z.array(planNodeSchema).min(1, 'must list at least one task').max(LIMITS.planTasks, tooMany(LIMITS.planTasks)),
});
export type PlanDocumentInput = z.input<typeof planDocumentSchema>;

/** `importPlan(input)`: a plan as Markdown or as JSON, what to do with it, and where its tasks go. */
export const importPlanSchema = z
  .strictObject({
    markdown: chars(LIMITS.planChars).optional(),
    plan: planDocumentSchema.optional(),
    /** Only show the tasks it would create. */
    dryRun: z.boolean().optional(),
    /** The planner for a plan in prose (default: the configured one). */
    planner: z.enum(PLANNER_NAMES).optional(),
    /** Read the Markdown as prose even if it has lists: the planner breaks it down. */
    prose: z.boolean().optional(),
    queue: queueNameSchema.optional(),
    /** Added to every task created. */
    tags: tagsSchema.optional(),
    /** Every task created is held (paused) until released, so a person can edit the plan first. */
    hold: z.boolean().optional(),
  })
  .refine((v) => (v.markdown === undefined) !== (v.plan === undefined), {
    message: 'give either markdown or plan (JSON), not both',
    path: ['markdown'],
  });
export type ImportPlanInput = z.input<typeof importPlanSchema>;

/** `exportPlan(query)`: the tree under one task, or every top-level task. */
export const exportPlanSchema = z.strictObject({
  root: taskIdSchema.optional(),
  /** Leave out cancelled tasks (default true). */
  skipCancelled: z.boolean().optional(),
});
export type ExportPlanQuery = z.input<typeof exportPlanSchema>;
