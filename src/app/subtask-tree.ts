import { PLAN_SOURCES, PLANNER_NAMES, type PlannedSubtask, type PlannerName, type PlanSource } from '../core/breakdown/types.js';
import { LIMITS } from '../core/limits.js';
import type { Task } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { BreakdownResult } from './baton.js';

/** A task broken down earlier: its subtasks as they were written, for a dry run to show. */

/** Every subtask below a task, every level, in id order. */
export async function subtaskTree(store: Store, id: number): Promise<Task[]> {
  const found: Task[] = [];
  const parents = [id];
  for (let parentId = parents.shift(); parentId !== undefined; parentId = parents.shift()) {
    for (let afterId: number | undefined; ; ) {
      const page = await store.listTasks({ parentId, afterId, limit: LIMITS.listLimit });
      found.push(...page);
      parents.push(...page.map((t) => t.id));
      const last = page.at(-1);
      if (page.length < LIMITS.listLimit || !last) break;
      afterId = last.id;
    }
  }
  return found.sort((a, b) => a.id - b.id);
}

/** How the task was split, from its `broken_down` event (its planner, source and pattern). */
interface Made {
  planner: PlannerName;
  source: PlanSource;
  pattern: string | null;
}

async function howMade(store: Store, id: number): Promise<Made> {
  const made = (await store.events({ taskId: id })).filter((e) => e.type === 'broken_down').at(-1)?.data ?? {};
  const planner = PLANNER_NAMES.find((p) => p === made.planner) ?? 'rules';
  const source = PLAN_SOURCES.find((s) => s === made.source) ?? 'planner';
  return { planner, source, pattern: typeof made.pattern === 'string' ? made.pattern : null };
}

/** The written tree as a plan: each level in id order, dependencies by sibling index. */
function planOf(parentId: number, tasks: readonly Task[]): PlannedSubtask[] {
  const siblings = tasks.filter((t) => t.parentId === parentId);
  return siblings.map((t) => {
    const children = planOf(t.id, tasks);
    return {
      title: t.title,
      description: t.description,
      capabilities: t.capabilities,
      estimateMinutes: t.estimateMinutes,
      complexity: t.complexity,
      dependsOn: siblings.flatMap((s, i) => (t.dependsOn.includes(s.id) ? [i] : [])),
      step: null,
      subtasks: children,
      source: children.length > 0 ? 'pattern' : null,
      pattern: null,
    };
  });
}

/**
 * A dry run of a task already broken down: nothing to plan, so it shows the tree written then
 * (`existing: true`), or null when the task has no subtasks.
 */
export async function existingBreakdown(store: Store, task: Task): Promise<BreakdownResult | null> {
  const subtasks = await subtaskTree(store, task.id);
  if (subtasks.length === 0) return null;
  const made = await howMade(store, task.id);
  return {
    task,
    subtasks,
    dryRun: true,
    existing: true,
    plan: { ...made, subtasks: planOf(task.id, subtasks) },
    planner: made.planner,
    requestedPlanner: made.planner,
    fallbackReason: null,
    warnings: [],
  };
}
