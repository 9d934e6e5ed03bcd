import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { RUN_STATUSES } from '../workflow/run.js';
import { STEP_ID, WORKFLOW_NAME } from '../workflow/schema.js';
import { chars, tooLong } from './fields.js';

/** A workflow definition as text (YAML or JSON), and the file it came from, for messages. */
export const workflowSourceSchema = z.strictObject({
  source: chars(LIMITS.workflowSourceChars).refine((s) => s.trim() !== '', 'must not be empty'),
  file: chars(1_000).optional(),
});

export const workflowRefSchema = z.strictObject({
  name: z
    .string()
    .max(100, tooLong(100))
    .regex(WORKFLOW_NAME, 'a workflow name is letters, digits, _, . and - (starting with a letter or digit)'),
  version: z.coerce.number().int('must be a whole number').positive('must be a positive version').optional(),
});

export type WorkflowSourceInput = z.input<typeof workflowSourceSchema>;
export type WorkflowRefInput = z.input<typeof workflowRefSchema>;

/** Starting a run: the workflow (its latest version unless `version`), and its params. */
export const startRunSchema = z.strictObject({
  name: workflowRefSchema.shape.name,
  version: workflowRefSchema.shape.version,
  params: z.record(z.string().max(100, tooLong(100)), z.unknown()).optional(),
});

/** Listing runs: of one workflow, in one state. */
export const runQuerySchema = z.strictObject({
  name: workflowRefSchema.shape.name.optional(),
  status: z.enum(RUN_STATUSES).optional(),
});

export const runIdSchema = z.coerce.number().int('must be a whole number').positive('must be a positive run id');

export type StartRunInput = z.input<typeof startRunSchema>;
export type RunQueryInput = z.input<typeof runQuerySchema>;

/** Deciding an approval step: approve, or `reject`, with an optional comment. */
export const approveStepSchema = z.strictObject({
  step: z.string().max(100, tooLong(100)).regex(STEP_ID, 'a step id is letters, digits and _'),
  reject: z.boolean().optional(),
  comment: chars(2_000).optional(),
  /** The role the decision is made with (the server sets its caller's; a local caller owns the store: admin). */
  role: z.string().min(1).max(100).optional(),
});

export type ApproveStepInput = z.input<typeof approveStepSchema>;
