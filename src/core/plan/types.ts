import type { Priority, TaskStatus } from '../types.js';

/**
 * Words of plan import and export (README "Plans"):
 *
 * - **plan**: a tree of tasks to create together, written as Markdown (headings, nested lists,
 *   checklists) or JSON; its items are numbered from 1 in reading order — that number (`ref`) is
 *   what `depends on #3` names.
 * - **node**: one item of a plan, with its subtasks below it.
 * - **prose**: a plan written as sentences (no list anywhere): a configured planner breaks it down.
 */

export interface PlanNode {
  /** Position in reading order, from 1: what `#N` names in a dependency line. */
  ref: number;
  /** Line of the Markdown source where the item starts (0 for JSON). */
  line: number;
  title: string;
  description: string | null;
  capabilities: string[];
  priority: Priority | null;
  estimateMinutes: number | null;
  /** A ticked checklist item (`- [x]`): imported as already completed. */
  done: boolean;
  /** Refs of other items of the same plan that must complete first. */
  dependsOn: number[];
  /** Ids of tasks already in the store that must complete first (`depends on task 57`). */
  dependsOnTasks: number[];
  subtasks: PlanNode[];
}

export type ParsedPlan =
  | { kind: 'structured'; nodes: PlanNode[]; warnings: string[] }
  | { kind: 'prose'; title: string; description: string; warnings: string[] };

/** A task of an exported plan: the node as it would import, plus what the store knows of it. */
export interface ExportedPlanNode extends Omit<PlanNode, 'line' | 'subtasks'> {
  id: number;
  status: TaskStatus;
  progress: number;
  subtasks: ExportedPlanNode[];
}

export interface PlanDocument {
  version: 1;
  tasks: ExportedPlanNode[];
}
