import { findAnyCycle } from '../graph.js';
import { LIMITS } from '../limits.js';
import { flattenPlan } from './document.js';
import type { PlanProblem } from './markdown.js';
import type { PlanNode } from './types.js';

/**
 * Checks a plan and completes it for writing (nodes are changed in place). Unwritable: too many
 * tasks, a title or description over its limit, a dependency on itself, a cycle. A task waits for
 * its subtasks, so a subtask that depends on its own parent is a cycle too; a parent that names
 * its own subtask is already waiting for it (the dependency is dropped). Each subtask is given what
 * it inherits from its parent before cycles are looked for.
 */
export function checkPlan(nodes: readonly PlanNode[]): PlanProblem[] {
  const all = flattenPlan(nodes);
  const problems: PlanProblem[] = [];
  if (all.length > LIMITS.planTasks) {
    problems.push({ line: 0, message: `a plan may create at most ${LIMITS.planTasks} tasks (this one has ${all.length})` });
    return problems;
  }
  for (const n of all) {
    const at = (message: string) => problems.push({ line: n.line, message: `#${n.ref} ${message}` });
    if (n.title.length > LIMITS.titleChars) at(`has a title over ${LIMITS.titleChars} characters`);
    if ((n.description?.length ?? 0) > LIMITS.descriptionChars)
      at(`has a description over ${LIMITS.descriptionChars} characters`);
    if (n.capabilities.length > LIMITS.capabilities) at(`needs more than ${LIMITS.capabilities} capabilities`);
    const long = n.capabilities.find((c) => c.length > LIMITS.nameChars);
    if (long) at(`has a capability over ${LIMITS.nameChars} characters`);
    if (n.dependsOn.includes(n.ref)) at('depends on itself');
  }
  if (problems.length > 0) return problems;
  for (const n of all) {
    const below = new Set(flattenPlan(n.subtasks).map((s) => s.ref));
    n.dependsOn = n.dependsOn.filter((d) => !below.has(d));
  }
  inheritFromParents(nodes);
  const edges: [number, number][] = [];
  for (const n of all) {
    for (const d of n.dependsOn) edges.push([n.ref, d]);
    for (const s of n.subtasks) edges.push([n.ref, s.ref]);
  }
  const cycle = findAnyCycle(edges);
  if (cycle) {
    const first = all.find((n) => n.ref === cycle[0]);
    problems.push({
      line: first?.line ?? 0,
      message: `dependencies form a cycle ${cycle.map((r) => `#${r}`).join(' -> ')} (a task also waits for its subtasks)`,
    });
  }
  return problems;
}

/**
 * A subtask inherits what its parent says of the whole: capabilities, priority (unless it sets its
 * own) and what the parent waits for — "Password reset, after OAuth login" holds for every part
 * of the reset. Nodes are changed in place; `checkPlan` calls it before it looks for cycles.
 */
function inheritFromParents(nodes: readonly PlanNode[], parent: PlanNode | null = null): void {
  for (const n of nodes) {
    if (parent) {
      n.capabilities = [...new Set([...parent.capabilities, ...n.capabilities])];
      n.priority ??= parent.priority;
      n.dependsOn = [...new Set([...parent.dependsOn, ...n.dependsOn])];
      n.dependsOnTasks = [...new Set([...parent.dependsOnTasks, ...n.dependsOnTasks])];
    }
    inheritFromParents(n.subtasks, n);
  }
}
