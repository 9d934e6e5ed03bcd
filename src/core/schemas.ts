import type { z } from 'zod';
import { BatonError, type ErrorCode } from './errors.js';

/**
 * One zod schema per input of `Baton`, holding Baton's limits (`LIMITS`). The app parses each
 * input once with its schema; the CLI, the HTTP API and the MCP tools derive their shapes from
 * these (`.pick()`, `.extend()`), so every door refuses the same input with the same code and
 * field. Split by the calls they serve: `schemas/tasks.ts`, `schemas/work.ts`, records in
 * `schemas/records.ts`, shared fields in `schemas/fields.ts`.
 */

export { LIMITS } from './limits.js';
export { type BidInput, bidSchema } from './schemas/assignment.js';
export {
  isoTimeSchema,
  nameSchema,
  percentSchema,
  retryPolicySchema,
  taskIdSchema,
  tokenSchema,
  workerIdSchema,
} from './schemas/fields.js';
export { type AnalyticsQuery, analyticsQuerySchema } from './schemas/insights.js';
export {
  type ExportPlanQuery,
  exportPlanSchema,
  type ImportPlanInput,
  importPlanSchema,
  type PlanDocumentInput,
  type PlanNodeInput,
  planDocumentSchema,
} from './schemas/plans.js';
export { dumpSchema, eventSchema, taskSchema, workerSchema } from './schemas/records.js';
export {
  BULK_ACTIONS,
  type BulkAction,
  type BulkInput,
  bulkSchema,
  type TaskFilter,
  taskFilterSchema,
} from './schemas/steer.js';
export {
  type AssignInput,
  analyzeSubjectSchema,
  assignSchema,
  breakdownAllSchema,
  breakdownOptionsSchema,
  type CreateTaskInput,
  cancelSchema,
  complexityReportSchema,
  conditionSchema,
  createTaskSchema,
  type DependencyInput,
  dependenciesSchema,
  dependencyItemSchema,
  type ListQuery,
  listQuerySchema,
  type SetResourceInput,
  setResourceSchema,
  type UnassignInput,
  type UpdateTaskInput,
  unassignSchema,
  updateTaskSchema,
  workerRefSchema,
} from './schemas/tasks.js';
export {
  type ContributeInput,
  contributeFields,
  contributeSchema,
  SWARM_MAX_SIZE,
  TEAM_MAX_MEMBERS,
  type TeamInput,
  teamRefSchema,
  teamSchema,
} from './schemas/teams.js';
export {
  type AttemptLogInput,
  attemptLogSchema,
  type ClaimInput,
  type ClaimManyInput,
  type ClaimTaskInput,
  type CompleteTaskInput,
  type CompletionItem,
  claimManySchema,
  claimSchema,
  claimTaskSchema,
  completeManySchema,
  completeSchema,
  completionItemSchema,
  type EventsQuery,
  eventsQuerySchema,
  type FailInput,
  failSchema,
  type LeaseRef,
  leaseRefSchema,
  type NoteInput,
  noteSchema,
  type ProgressInput,
  progressSchema,
  type RegisterWorkerInput,
  type ReviewTaskInput,
  registerWorkerSchema,
  reviewSchema,
  type WorkerHeartbeatInput,
  workerHeartbeatSchema,
} from './schemas/work.js';
export {
  type ApproveStepInput,
  approveStepSchema,
  type RunQueryInput,
  runIdSchema,
  runQuerySchema,
  type StartRunInput,
  startRunSchema,
  type WorkflowRefInput,
  type WorkflowSourceInput,
  workflowRefSchema,
  workflowSourceSchema,
} from './schemas/workflows.js';

/** Parses `value` or throws a coded error naming the first offending field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { code?: ErrorCode; what?: string } = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : (options.what ?? 'input');
  const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
  throw new BatonError(options.code ?? 'invalid_argument', `${field}: ${message}`, {
    field,
    issues: result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
export {
  type BackupInput,
  backupSchema,
  bareFileName,
  type GcInput,
  gcSchema,
  type RestoreInput,
  restoreSchema,
} from './schemas/maintenance.js';
