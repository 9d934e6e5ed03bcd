import type { Task, TaskEvent } from '../types.js';
import { condition, RenderError, type Vars } from './render.js';
import type { StepDefinition, TriggerDefinition } from './schema.js';

/**
 * Matching Baton's event log against the event filters of workflows: a `wait: { event }` step and
 * an `event` trigger. A filter's `type` names an event as users read it: `task.completed` is a
 * task's `completed` event, `run.failed` a run's `run_failed`; a bare `completed` is the log's
 * own name. `tag` keeps the events of tasks carrying it; `if` is a condition over `event`.
 */

export type EventFilter = NonNullable<NonNullable<StepDefinition['wait']>['event'] | TriggerDefinition['event']>;

/** What a filter's `if` (and a trigger's params) read as `event`. */
export interface EventView {
  id: number;
  type: string;
  taskId: number | null;
  workerId: string | null;
  actor: string | null;
  at: string;
  data: Record<string, unknown>;
  task: { id: number; title: string; status: string; tags: string[]; capabilities: string[]; result: unknown } | null;
}

/** The log's event type a filter's `type` names. */
export function logTypeOf(type: string): string {
  if (type.startsWith('task.')) return type.slice('task.'.length);
  if (type.startsWith('run.')) return `run_${type.slice('run.'.length)}`;
  if (type.startsWith('step.')) return `step_${type.slice('step.'.length)}`;
  return type;
}

export function eventView(event: TaskEvent, task: Task | undefined): EventView {
  return {
    id: event.id,
    type: event.type,
    taskId: event.taskId,
    workerId: event.workerId,
    actor: event.actor,
    at: event.at,
    data: event.data ?? {},
    task: task
      ? {
          id: task.id,
          title: task.title,
          status: task.status,
          tags: task.tags,
          capabilities: task.capabilities,
          result: task.result ?? null,
        }
      : null,
  };
}

/**
 * Whether `view` passes `filter`. `vars` are what else the condition reads (a step's params and
 * upstream steps); a condition that fails to evaluate does not match (and says why in `error`).
 */
export function eventMatches(filter: EventFilter, view: EventView, vars: Vars = {}): { match: boolean; error?: string } {
  if (view.type !== logTypeOf(filter.type)) return { match: false };
  if (filter.tag !== undefined && !view.task?.tags.includes(filter.tag)) return { match: false };
  if (filter.if === undefined) return { match: true };
  try {
    return { match: condition(filter.if, { ...vars, event: view }) };
  } catch (err) {
    if (err instanceof RenderError) return { match: false, error: err.message };
    throw err;
  }
}
