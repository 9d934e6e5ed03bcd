export { type WorkflowRecord, workflowRecordOf } from './record.js';
export * from './schema.js';
export type { WorkflowProblem } from './source.js';
export { formatProblems, validateWorkflowSource, type WorkflowValidation } from './validate.js';
