import { findAnyCycle } from '../graph.js';
import { LIMITS } from '../limits.js';
import type { PlannedSubtask } from './types.js';

/** At most this many subtasks in one level of a plan (SPEC §6). */
export const MAX_SUBTASKS = 30;

/**
 * Problems with a plan: each level holds 1–30 subtasks with non-empty titles whose dependencies
 * name existing siblings and form no cycle (the cycle is reported as `2 -> 4 -> 2`, 1-based like
 * the tree users see). Empty when the plan is valid.
 */
export function planProblems(subtasks: readonly PlannedSubtask[], path = 'subtasks'): string[] {
  const problems: string[] = [];
  if (subtasks.length === 0) problems.push(`${path}: the plan has no subtasks`);
  if (subtasks.length > MAX_SUBTASKS) problems.push(`${path}: ${subtasks.length} subtasks (at most ${MAX_SUBTASKS})`);
  const edges: [number, number][] = [];
  subtasks.forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (s.title.trim().length === 0) problems.push(`${at}.title: must not be empty`);
    if (s.title.length > LIMITS.titleChars) problems.push(`${at}.title: must be at most ${LIMITS.titleChars} characters`);
    if (s.estimateMinutes !== null && !(s.estimateMinutes > 0)) problems.push(`${at}.estimateMinutes: must be positive`);
    for (const d of s.dependsOn) {
      if (!Number.isInteger(d) || d < 0 || d >= subtasks.length) {
        problems.push(`${at}.dependsOn: ${d} is not the index of another subtask (0–${subtasks.length - 1})`);
      } else if (d === i) problems.push(`${at}.dependsOn: a subtask cannot depend on itself`);
      else edges.push([i, d]);
    }
    if (s.subtasks.length > 0) problems.push(...planProblems(s.subtasks, `${at}.subtasks`));
  });
  const cycle = findAnyCycle(edges);
  if (cycle) problems.push(`${path}: dependencies form a cycle ${cycle.map((i) => i + 1).join(' -> ')}`);
  return problems;
}

/** Number of subtasks in the whole tree. */
export function planSize(subtasks: readonly PlannedSubtask[]): number {
  return subtasks.reduce((n, s) => n + 1 + planSize(s.subtasks), 0);
}
