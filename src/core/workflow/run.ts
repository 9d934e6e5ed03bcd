import { BatonError } from '../errors.js';
import { hasType, valueProblem } from './params.js';
import type { WorkflowDefinition } from './schema.js';

/** Runs of a workflow definition: the run, each step's state, and the params a run starts from. */

export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'waiting', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StepState {
  id: string;
  status: StepStatus;
  /** The step's tasks, in item order (one for a plain task step). */
  taskIds: number[];
  /** A `foreach` step's items, once read. */
  items: unknown[] | null;
  /** Its task's result; for `foreach`, the list of item results. */
  result: unknown;
  error: string | null;
  /** ISO-8601 times. */
  startedAt: string | null;
  finishedAt: string | null;
  /** A `wait` step: when it ends; an `approval` step: when it times out (null: never). */
  waitUntil: string | null;
  /** An `approval` step's decision, once given. */
  decision?: StepDecision | null;
  /** A `wait: { event }` step: the newest event id when it started; it waits for a later one. */
  eventAfter?: number | null;
}

export interface StepDecision {
  approved: boolean;
  /** Who decided, and the role they decided with. */
  by: string | null;
  role: string;
  comment: string | null;
  at: string;
}

export interface WorkflowRun {
  id: number;
  workflow: string;
  /** The definition version the run started from. */
  version: number;
  params: Record<string, unknown>;
  status: RunStatus;
  /** The task every step task is a subtask of. */
  parentTaskId: number | null;
  steps: StepState[];
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Bumped by every write: a write guarded by it never overwrites a newer state. */
  revision: number;
}

export type NewRun = Omit<WorkflowRun, 'id' | 'revision'>;

export const isStepFinal = (s: StepStatus): boolean =>
  s === 'completed' || s === 'failed' || s === 'skipped' || s === 'cancelled';

export function initialSteps(definition: WorkflowDefinition): StepState[] {
  return definition.steps.map((s) => ({
    id: s.id,
    status: 'pending',
    taskIds: [],
    items: null,
    result: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    waitUntil: null,
    decision: null,
  }));
}

/**
 * The params of a new run: each given value checked against its declared type, pattern and enum,
 * defaults filled in, required ones present, unknown ones refused. A value given as text for a
 * param that is not a string (from `--param k=v`) is read as JSON.
 */
export function resolveParams(definition: WorkflowDefinition, given: Record<string, unknown>): Record<string, unknown> {
  const specs = definition.params ?? {};
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!(name in specs)) problems.push(`unknown param ${JSON.stringify(name)}`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    let value = given[name];
    if (value === undefined) {
      if (spec.default !== undefined) out[name] = spec.default;
      else if (spec.required) problems.push(`param ${JSON.stringify(name)} is required`);
      continue;
    }
    if (typeof value === 'string' && spec.type !== 'string' && !hasType(value, spec.type)) {
      try {
        value = JSON.parse(value);
      } catch {
        // Reported below as the wrong type.
      }
    }
    const problem =
      typeof value === 'string' && value.includes('${{')
        ? `param ${JSON.stringify(name)} must be a value, not an expression`
        : valueProblem(spec, value, `param ${JSON.stringify(name)}`);
    if (problem) problems.push(problem);
    else out[name] = value;
  }
  if (problems.length > 0) {
    throw new BatonError('invalid_params', `${definition.name}: ${problems.join('; ')}`, { problems });
  }
  return out;
}

/**
 * When a sweep must next look at a run for what falls due by time alone (ms since the epoch; 0:
 * at every sweep), or null when only a change of one of its tasks or a decision moves it: the end
 * of a wait or of a loop's pause, an approval's timeout, and — looked at every sweep — a wait for
 * an event. The stores keep it in an indexed column, so a sweep reads only the runs that are due.
 */
export function wakeAtOf(run: Pick<WorkflowRun, 'status' | 'steps'>): number | null {
  if (run.status !== 'running') return null;
  let wake: number | null = null;
  for (const s of run.steps) {
    let at: number | null = null;
    if (s.status === 'waiting' && s.eventAfter !== undefined && s.eventAfter !== null) at = 0;
    else if ((s.status === 'waiting' || s.status === 'running') && s.waitUntil !== null) at = Date.parse(s.waitUntil);
    if (at !== null && (wake === null || at < wake)) wake = at;
  }
  return wake;
}

/** `30s`, `20m`, `1h30m`, `500ms` in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * (units[m[2] as string] as number);
  return total;
}

/** A run row as either store returns it (times in ms since the epoch). */
export function runOf(r: Record<string, unknown>): WorkflowRun {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const time = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
  return {
    id: Number(r.id),
    workflow: String(r.workflow),
    version: Number(r.version),
    params: json(r.params) as Record<string, unknown>,
    status: r.status as RunStatus,
    parentTaskId: r.parent_task_id === null || r.parent_task_id === undefined ? null : Number(r.parent_task_id),
    steps: json(r.steps) as StepState[],
    error: (r.error as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: time(r.created_at) as string,
    updatedAt: time(r.updated_at) as string,
    finishedAt: time(r.finished_at),
    revision: Number(r.revision),
  };
}
