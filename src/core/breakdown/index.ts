/** Automatic breakdown (SPEC §6): pure rules, no I/O. zod shapes live in `./schemas.js`, loaded lazily. */
export { type ChecklistItem, checklistForBreakdown, parseChecklist } from './checklist.js';
export {
  analyzeComplexity,
  type BreakdownMode,
  breaksDownOnCreate,
  type ComplexityReport,
  type RecommendedAction,
} from './complexity.js';
export { detectPattern } from './detect.js';
export { BUILT_IN_PATTERNS, GENERIC } from './patterns.js';
export { assertValidPattern, defaultRegistry, PatternRegistry, patternProblems, registerPattern } from './registry.js';
export { type Rollup, type RollupChild, rollup } from './rollup.js';
export { expandEpics, MAX_DEPTH, planFromChecklist, planFromPattern, type RulePlanOptions, rulePlan } from './rule-planner.js';
export { splitEstimate } from './shares.js';
export { stepTitle, subjectOf } from './subject.js';
export * from './types.js';
export { MAX_SUBTASKS, planProblems, planSize } from './validate.js';
