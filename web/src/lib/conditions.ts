import type { Task, TaskEvent } from '../api/types.js';

/** How the dashboard shows conditional dependencies and why a task was skipped. */

/** Dependencies, each conditional one with its condition: `#3 if result.passed, #4`. */
export function dependsOnText(task: Pick<Task, 'dependsOn' | 'conditions'>): string {
  return task.dependsOn
    .map((d) => {
      const condition = task.conditions.find((c) => c.on === d);
      return condition ? `#${d} if ${condition.if}` : `#${d}`;
    })
    .join(', ');
}

/** Why a task was skipped, from its last `skipped` event. */
export function skipReason(history: readonly TaskEvent[]): string {
  const data = history.findLast((e) => e.type === 'skipped')?.data as Record<string, unknown> | null | undefined;
  if (!data) return 'a dependency did not let it run.';
  const on = `#${String(data.dependency)}`;
  if (typeof data.error === 'string') return `the condition on ${on} could not be evaluated: ${data.error}`;
  if ('value' in data) return `the condition on ${on} (${String(data.condition)}) gave ${JSON.stringify(data.value)}.`;
  if (typeof data.condition === 'string') return `${on} was ${String(data.status)}; its condition needs it completed.`;
  return `${on} was ${String(data.status)}.`;
}
