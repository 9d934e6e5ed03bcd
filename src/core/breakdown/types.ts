import type { Complexity } from '../types.js';

/**
 * Words of automatic breakdown (SPEC §6):
 *
 * - **subject**: the text of a task as planners see it (title, description, type, capabilities,
 *   estimate) — a task that may not exist yet, so it has no id.
 * - **pattern**: a named kind of work (API, frontend, …) with the words that reveal it and a small
 *   DAG of steps.
 * - **plan**: the subtasks a planner proposes for one task, each with its share of the estimate and
 *   its dependencies as indexes of earlier or later siblings; a subtask may carry its own plan.
 * - **planner**: what makes a plan — `rules` (checklist or pattern), `command` (a user command) or
 *   `http` (an OpenAI-compatible chat endpoint).
 */

export const PLANNER_NAMES = ['rules', 'command', 'http'] as const;
export type PlannerName = (typeof PLANNER_NAMES)[number];

export interface BreakdownSubject {
  title: string;
  description?: string | null | undefined;
  type?: string | null | undefined;
  capabilities?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  estimateMinutes?: number | null | undefined;
  /** The estimate as text (`4h30m`) instead of `estimateMinutes`: what a caller of `analyze` may give. */
  estimate?: string | undefined;
}

export interface PatternStep {
  /** Unique within its pattern; other steps name it in `dependsOn`. */
  key: string;
  /**
   * Title template, verb first: `{subject}` is the object of the parent's work ("the partner
   * API"), `{action}` that work as a verb phrase ("Upgrade Node 18 to 20").
   */
  title: string;
  description?: string | undefined;
  /** Added to the capabilities the step inherits from its parent. */
  capabilities?: readonly string[] | undefined;
  /** Relative weight of the step in the parent's estimate. */
  share: number;
  /** Keys of steps that must complete first. Steps that do not depend on each other run in parallel. */
  dependsOn?: readonly string[] | undefined;
}

export interface Pattern {
  /** Registry key, e.g. `api`, `machine_learning`. */
  name: string;
  label: string;
  /**
   * Words that reveal the topic. A word matches a token exactly (plurals included), `word*`
   * matches by prefix (`migrat*` → migrate, migration), several words match a phrase.
   */
  keywords: readonly string[];
  /** Words that reveal the kind of work whatever the topic (`learn`, `upgrade`); they weigh more. */
  intents?: readonly string[] | undefined;
  /** Task types (`--type`) that select the pattern. */
  types?: readonly string[] | undefined;
  steps: readonly PatternStep[];
}

export interface PlannedSubtask {
  title: string;
  description: string | null;
  capabilities: string[];
  estimateMinutes: number | null;
  complexity: Complexity;
  /** Indexes in the sibling list of the subtasks that must complete first. */
  dependsOn: number[];
  /** Pattern step it came from, if any. */
  step: string | null;
  /** Its own breakdown when it was still an epic (empty otherwise). */
  subtasks: PlannedSubtask[];
  /** How `subtasks` were made, when there are any. */
  source: PlanSource | null;
  pattern: string | null;
}

/**
 * How a level was made. `deliverables`: one subtask per deliverable the task names; `parts`: an
 * epic step split into equal independent parts.
 */
export const PLAN_SOURCES = ['checklist', 'deliverables', 'pattern', 'planner', 'parts'] as const;
export type PlanSource = (typeof PLAN_SOURCES)[number];

export interface Plan {
  planner: PlannerName;
  source: PlanSource;
  /** Pattern applied at the top level (null for a checklist or an external planner). */
  pattern: string | null;
  subtasks: PlannedSubtask[];
}

export interface Detection {
  pattern: string;
  label: string;
  score: number;
  /** What matched, for the analysis report (`title: "endpoint"`, `type: research`). */
  matched: string[];
  /** Runner-up scores, best first; helps explain close calls. */
  candidates: { pattern: string; score: number }[];
}
