import { evaluateExpression, parseExpression } from './expression.js';
import type { Task, TaskStatus } from './types.js';

/**
 * Conditional dependencies and the `skipped` state. A task that depends on `3` with the condition
 * `result.passed == true` runs only if task 3 completed and the condition, evaluated over task 3 as
 * it finished, is exactly `true`. Otherwise — the condition is false or anything but `true`, it
 * cannot be evaluated (a missing field: `has(result.passed)` tests for one), or task 3 failed, was
 * cancelled or was skipped — the task is `skipped`, a final state, with an event saying which
 * dependency and what was seen. A plain dependency on a skipped task skips its dependent too, and
 * so on down the graph (as GitHub Actions does with jobs that `need` a skipped job); a plain
 * dependency that failed or was cancelled keeps its dependent blocked, as before, until it is
 * retried or the dependency removed.
 */

/** What a condition may read of its dependency, named as in the task's JSON. */
export function conditionVariables(dep: Task): Record<string, unknown> {
  return {
    id: dep.id,
    title: dep.title,
    type: dep.type,
    status: dep.status,
    priority: dep.priority,
    tags: dep.tags,
    capabilities: dep.capabilities,
    input: dep.input ?? null,
    result: dep.result ?? null,
    progress: dep.progress,
    attempts: dep.attempts,
    retries: dep.retries,
    lastError: dep.lastError,
    artifacts: dep.artifacts.map((a) => a.path),
  };
}

/** The names `conditionVariables` offers, for help texts. */
export const CONDITION_VARIABLES =
  'id, title, type, status, priority, tags, capabilities, input, result, progress, attempts, retries, lastError, artifacts';

/** Why a condition cannot be read, naming the position; null when it can. */
export function conditionProblem(text: string): string | null {
  const parsed = parseExpression(text);
  return parsed.ok ? null : `cannot be read at character ${parsed.offset + 1}: ${parsed.message}`;
}

/** What the `skipped` event records: the dependency, how it ended, and what its condition gave. */
export interface SkipReason {
  dependency: number;
  status: TaskStatus;
  condition?: string;
  value?: unknown;
  error?: string;
}

export type Gate = { verdict: 'wait' } | { verdict: 'run' } | { verdict: 'skip'; reason: SkipReason };

/**
 * Whether a task waiting for `deps` (its dependencies, as they are now) may run, must wait, or
 * will never run. `first`, the dependency that just finished, is looked at first so that the
 * event names it when several would skip the task.
 */
export function dependencyGate(task: Pick<Task, 'conditions'>, deps: readonly Task[], first?: number): Gate {
  const ordered = [...deps].sort((a, b) => (a.id === first ? -1 : b.id === first ? 1 : a.id - b.id));
  let open = false;
  for (const dep of ordered) {
    const condition = task.conditions.find((c) => c.on === dep.id)?.if;
    if (dep.status === 'skipped') return skip(dep, condition);
    if (condition === undefined) {
      open ||= dep.status !== 'completed';
      continue;
    }
    if (dep.status === 'failed' || dep.status === 'cancelled') return skip(dep, condition);
    if (dep.status !== 'completed') {
      open = true;
      continue;
    }
    const outcome = evaluateExpression(condition, conditionVariables(dep));
    if (!outcome.ok) return skip(dep, condition, { error: `${outcome.message} (at character ${outcome.offset + 1})` });
    if (outcome.value !== true) return skip(dep, condition, { value: outcome.value ?? null });
  }
  return open ? { verdict: 'wait' } : { verdict: 'run' };
}

function skip(dep: Task, condition: string | undefined, seen: { value?: unknown; error?: string } = {}): Gate {
  return {
    verdict: 'skip',
    reason: { dependency: dep.id, status: dep.status, ...(condition !== undefined && { condition }), ...seen },
  };
}

/** One line for people: why a task was skipped. */
export function skipText(reason: SkipReason): string {
  const on = `#${reason.dependency}`;
  if (reason.error !== undefined) return `the condition on ${on} could not be evaluated: ${reason.error}`;
  if ('value' in reason) return `the condition on ${on} (${reason.condition}) gave ${JSON.stringify(reason.value)}`;
  if (reason.condition !== undefined) return `${on} ${reason.status} (its condition needs it completed)`;
  return `${on} was ${reason.status}`;
}
