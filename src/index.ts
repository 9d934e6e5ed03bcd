/** Baton as a library: open a store and use the same `Baton` interface the CLI uses. */
export type * from './app/baton.js';
export { LocalBaton } from './app/local-baton.js';
export { type OpenOptions, openBaton } from './app/open.js';
export {
  analyzeComplexity,
  type BreakdownSubject,
  BUILT_IN_PATTERNS,
  type ComplexityReport,
  detectPattern,
  type Pattern,
  PatternRegistry,
  type PatternStep,
  type Plan,
  type PlannedSubtask,
  type PlannerName,
  parseChecklist,
  registerPattern,
  rulePlan,
} from './core/breakdown/index.js';
export { BatonError, ERROR_CODES, type ErrorCode } from './core/errors.js';
export { LIMITS } from './core/limits.js';
export { DEFAULT_POLICY, type Policy } from './core/policy.js';
export type { Priority, Task, TaskEvent, TaskStatus, Worker, WorkerView } from './core/types.js';
export type { AttemptContext, AttemptOutcome, Executor, WorkerEvent } from './worker/types.js';
export { type BatonWorker, type HandlerContext, type TaskHandler, type WorkOptions, work } from './worker/work.js';
