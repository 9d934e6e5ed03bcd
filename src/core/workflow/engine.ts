import { BatonError } from '../errors.js';
import { createTaskSchema } from '../schemas/tasks.js';
import type { TaskStatus } from '../types.js';
import type { EventView } from './events.js';
import { condition, RenderError, type RenderedTask, renderTask, renderValue, type Vars } from './render.js';
import { durationMs, isStepFinal, type RunStatus, resolveParams, type StepState, type WorkflowRun } from './run.js';
import type { StepDefinition, WorkflowDefinition } from './schema.js';

/**
 * The run engine: given a definition, a run's state, the states of the run's tasks and the time,
 * what happens next — the tasks to create, the steps that start, end or are skipped, and the end
 * of the run. Pure: the app applies the plan in one transaction that holds the run's lock.
 *
 * Rules: a step starts once every step it `needs` is finished; without `if` it runs only when each
 * of them completed (or failed with `continue_on_error`), otherwise it is skipped, as GitHub
 * Actions does; with `if`, the condition alone decides. `on_failure` steps run only once the run
 * has failed, and are skipped when it has not. A `foreach` step runs its items in parallel, at most
 * `max_parallel` at once. A step fails when one of its tasks ends without completing (failed,
 * cancelled or skipped); the run fails when a step fails without `continue_on_error`.
 *
 * A `workflow` step starts a run of another workflow (one per item with `foreach`); the sub-run's
 * own task stands for it among the step's tasks, so it ends, fails or is cancelled like any task.
 * A `wait: { event }` step ends with the first event after its start that passes its filter.
 */

/** How deep sub-workflows nest: deeper is a workflow that (through others) starts itself. */
export const MAX_RUN_DEPTH = 8;

/** What the engine needs of a step's task. */
export interface RunTaskView {
  id: number;
  status: TaskStatus;
  result: unknown;
  lastError: string | null;
}

/** A run of another workflow that a `workflow` step starts. */
export interface SubRun {
  workflow: string;
  version: number;
  params: Record<string, unknown>;
}

/** What a step starts: a task, or a sub-run (whose own task then stands for it). */
export type TaskToCreate =
  | { step: string; index: number; task: RenderedTask; run?: undefined }
  | { step: string; index: number; run: SubRun; task?: undefined };

/** What the engine reads besides the run and its tasks; the app fills in only what a run needs. */
export interface PlanContext {
  /** The latest versions of the workflows that `workflow` steps name, by name. */
  workflows?: ReadonlyMap<string, { name: string; version: number; definition: WorkflowDefinition }>;
  /** How many runs this one is nested in (0 for a run started by a person, an API call or a trigger). */
  depth?: number;
  /** The newest event id: a `wait: { event }` step that starts waits for a later one. */
  lastEventId?: number;
  /** For each `wait: { event }` step, the first event after its start that passes its filter. */
  events?: ReadonlyMap<string, EventView>;
}

export interface RunEventPlan {
  type: 'step_started' | 'step_completed' | 'step_failed' | 'step_skipped' | 'run_completed' | 'run_failed' | 'run_cancelled';
  step: string | null;
  data: Record<string, unknown>;
}

export interface RunPlan {
  steps: StepState[];
  status: RunStatus;
  error: string | null;
  /** Each new task's id goes where its placeholder is in `steps[].taskIds`: `-(k + 1)` for `create[k]`. */
  create: TaskToCreate[];
  /** Open tasks to cancel (the run was cancelled). */
  cancel: number[];
  events: RunEventPlan[];
  changed: boolean;
}

const TASK_DONE: readonly TaskStatus[] = ['completed', 'failed', 'cancelled', 'skipped'];

export function planRun(
  definition: WorkflowDefinition,
  run: WorkflowRun,
  tasks: ReadonlyMap<number, RunTaskView>,
  now: number,
  context: PlanContext = {},
): RunPlan {
  const plan: RunPlan = {
    steps: structuredClone(run.steps),
    status: run.status,
    error: run.error,
    create: [],
    cancel: [],
    events: [],
    changed: false,
  };
  if (run.status !== 'running') return plan;
  const defs = new Map(definition.steps.map((s) => [s.id, s]));
  const states = new Map(plan.steps.map((s) => [s.id, s]));
  const onFailure = new Set(definition.on_failure ?? []);
  const at = new Date(now).toISOString();

  const vars = (item?: { item: unknown; index: number }): Vars => ({
    params: run.params,
    steps: Object.fromEntries(plan.steps.map((s) => [s.id, { status: s.status, result: s.result }])),
    ...(item && { item: item.item, index: item.index }),
  });
  const event = (type: RunEventPlan['type'], step: string | null, data: Record<string, unknown> = {}) => {
    plan.events.push({ type, step, data: { run: run.id, workflow: run.workflow, ...(step && { step }), ...data } });
    plan.changed = true;
  };
  const finish = (s: StepState, status: 'completed' | 'failed' | 'skipped', data: Record<string, unknown> = {}) => {
    s.status = status;
    s.finishedAt = at;
    event(status === 'completed' ? 'step_completed' : status === 'failed' ? 'step_failed' : 'step_skipped', s.id, {
      status,
      ...data,
    });
  };
  const failed = () =>
    plan.steps.some((s) => s.status === 'failed' && !onFailure.has(s.id) && !defs.get(s.id)?.continue_on_error);
  const normalDone = () => plan.steps.every((s) => onFailure.has(s.id) || isStepFinal(s.status));

  const startTasks = (def: StepDefinition, s: StepState): void => {
    const items = s.items;
    // A loop adds one iteration at a time.
    const total = items ? items.length : def.loop ? s.taskIds.length + 1 : 1;
    const open = s.taskIds.filter((id) => id < 0 || !TASK_DONE.includes(tasks.get(id)?.status ?? 'queued')).length;
    const room = items ? (def.max_parallel ?? total) - open : 1 - open;
    for (let n = 0; n < room && s.taskIds.length < total; n++) {
      const index = s.taskIds.length;
      const v = items ? vars({ item: items[index], index }) : vars(def.loop ? { item: null, index } : undefined);
      if (def.workflow) {
        plan.create.push({ step: def.id, index, run: subRun(def.workflow, v) });
        s.taskIds.push(-plan.create.length);
        plan.changed = true;
        continue;
      }
      const tags = [`run:${run.id}`, `step:${def.id}`];
      const task = renderTask(def, v, tags);
      const checked = createTaskSchema.safeParse({ ...task, noBreakdown: true });
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new RenderError(
          `task of step ${def.id} is not valid: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
        );
      }
      plan.create.push({ step: def.id, index, task });
      s.taskIds.push(-plan.create.length);
      plan.changed = true;
    }
  };

  const subRun = (ref: NonNullable<StepDefinition['workflow']>, v: Vars): SubRun => {
    const found = context.workflows?.get(ref.name);
    if (!found) throw new RenderError(`workflow ${ref.name} is not registered`);
    if ((context.depth ?? 0) >= MAX_RUN_DEPTH) {
      throw new RenderError(`sub-workflows nest more than ${MAX_RUN_DEPTH} deep (does ${ref.name} start itself?)`);
    }
    const given = renderValue(ref.params ?? {}, v) as Record<string, unknown>;
    try {
      return { workflow: found.name, version: found.version, params: resolveParams(found.definition, given) };
    } catch (err) {
      if (err instanceof BatonError) throw new RenderError(`sub-workflow ${err.message}`);
      throw err;
    }
  };

  /** A `loop` step: its task again until `until` holds, at most `max` times, `every` apart. */
  const iterate = (def: StepDefinition, loop: NonNullable<StepDefinition['loop']>, s: StepState): void => {
    const lastId = s.taskIds.at(-1) as number;
    const last = lastId < 0 ? undefined : tasks.get(lastId);
    if (!last || !TASK_DONE.includes(last.status)) return;
    s.result = last.result ?? null;
    if (last.status !== 'completed') {
      s.error = last.lastError ?? `task #${last.id} ${last.status}`;
      finish(s, 'failed', { task: last.id, error: s.error, iterations: s.taskIds.length });
      return;
    }
    if (s.waitUntil !== null) {
      if (Date.parse(s.waitUntil) > now) return;
      s.waitUntil = null;
      startTasks(def, s);
      return;
    }
    const v = vars();
    (v.steps as Record<string, unknown>)[s.id] = { status: 'running', result: s.result };
    if (condition(loop.until, v)) {
      finish(s, 'completed', { iterations: s.taskIds.length });
    } else if (s.taskIds.length >= loop.max) {
      s.error = `until did not hold after ${loop.max} iteration${loop.max === 1 ? '' : 's'}`;
      finish(s, 'failed', { error: s.error, iterations: s.taskIds.length });
    } else if (loop.every) {
      s.waitUntil = new Date(now + durationMs(loop.every)).toISOString();
      plan.changed = true;
    } else startTasks(def, s);
  };

  const start = (def: StepDefinition, s: StepState): void => {
    s.startedAt = at;
    if (def.approval) {
      s.status = 'waiting';
      s.waitUntil = def.approval.timeout ? new Date(now + durationMs(def.approval.timeout)).toISOString() : null;
      event('step_started', s.id, { approval: { by: def.approval.by }, waitUntil: s.waitUntil });
      return;
    }
    if (def.wait?.event) {
      s.status = 'waiting';
      s.eventAfter = context.lastEventId ?? 0;
      s.waitUntil = def.wait.timeout ? new Date(now + durationMs(def.wait.timeout)).toISOString() : null;
      event('step_started', s.id, { event: def.wait.event, waitUntil: s.waitUntil });
      return;
    }
    if (def.wait) {
      const until = def.wait.duration
        ? now + durationMs(def.wait.duration)
        : Date.parse(String(renderValue(def.wait.until ?? '', vars())));
      if (Number.isNaN(until)) throw new RenderError(`wait until ${JSON.stringify(def.wait.until)} is not a time`);
      s.status = 'waiting';
      s.waitUntil = new Date(until).toISOString();
      event('step_started', s.id, { waitUntil: s.waitUntil });
      return;
    }
    if (def.foreach !== undefined) {
      const items = renderValue(def.foreach, vars());
      if (!Array.isArray(items)) throw new RenderError(`foreach gave ${JSON.stringify(items)}, not a list`);
      s.items = items;
      if (items.length === 0) {
        s.result = [];
        finish(s, 'completed', { items: 0 });
        return;
      }
    }
    s.status = 'running';
    event('step_started', s.id, s.items ? { items: s.items.length } : {});
    startTasks(def, s);
  };

  const ready = (def: StepDefinition, s: StepState): boolean | 'skip' => {
    const needs = (def.needs ?? []).map((id) => states.get(id) as StepState);
    if (onFailure.has(s.id)) {
      if (!failed()) return normalDone() ? 'skip' : false;
    }
    if (!needs.every((n) => isStepFinal(n.status))) return false;
    if (def.if !== undefined) return condition(def.if, vars()) ? true : 'skip';
    if (onFailure.has(s.id)) return true;
    const ok = needs.every((n) => n.status === 'completed' || (n.status === 'failed' && defs.get(n.id)?.continue_on_error));
    return ok ? true : 'skip';
  };

  const advance = (def: StepDefinition, s: StepState): void => {
    if (s.status === 'pending') {
      const verdict = ready(def, s);
      if (verdict === 'skip') finish(s, 'skipped', def.if !== undefined ? { if: def.if } : {});
      else if (verdict) start(def, s);
      return;
    }
    if (s.status === 'waiting' && def.approval) {
      const d = s.decision;
      if (d) {
        s.result = { approved: d.approved, by: d.by, role: d.role, comment: d.comment };
        if (d.approved) finish(s, 'completed', { by: d.by });
        else {
          s.error = `rejected by ${d.by ?? d.role}${d.comment ? `: ${d.comment}` : ''}`;
          finish(s, 'failed', { by: d.by, error: s.error });
        }
      } else if (s.waitUntil !== null && Date.parse(s.waitUntil) <= now) {
        s.error = 'approval timed out';
        finish(s, 'failed', { error: s.error });
      }
      return;
    }
    if (s.status === 'waiting' && def.wait?.event) {
      const found = context.events?.get(s.id);
      if (found) {
        s.result = found;
        finish(s, 'completed', { event: found.id });
      } else if (s.waitUntil !== null && Date.parse(s.waitUntil) <= now) {
        s.error = `no ${def.wait.event.type} event came within ${def.wait.timeout}`;
        finish(s, 'failed', { error: s.error });
      }
      return;
    }
    if (s.status === 'waiting') {
      if (s.waitUntil !== null && Date.parse(s.waitUntil) <= now) finish(s, 'completed');
      return;
    }
    if (s.status !== 'running') return;
    if (def.loop) {
      iterate(def, def.loop, s);
      return;
    }
    const views = s.taskIds.map((id) => (id < 0 ? undefined : tasks.get(id)));
    const bad = views.find((t) => t && TASK_DONE.includes(t.status) && t.status !== 'completed');
    const open = views.filter((t) => !t || !TASK_DONE.includes(t.status)).length;
    const total = s.items ? s.items.length : 1;
    if (!bad && s.taskIds.length < total) startTasks(def, s);
    if (open > 0 || (!bad && s.taskIds.length < total)) return;
    const results = views.map((t) => t?.result ?? null);
    s.result = s.items ? results : (results[0] ?? null);
    if (bad) {
      s.error = bad.lastError ?? `task #${bad.id} ${bad.status}`;
      finish(s, 'failed', { task: bad.id, error: s.error });
    } else finish(s, 'completed', { tasks: s.taskIds });
  };

  // Steps are visited until nothing moves: a skip or an end may let the next steps go at once.
  for (let pass = 0; pass <= plan.steps.length + 1; pass++) {
    const before = plan.events.length + plan.create.length;
    for (const s of plan.steps) {
      const def = defs.get(s.id);
      if (!def || isStepFinal(s.status)) continue;
      try {
        advance(def, s);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        s.error = err.message;
        if (s.startedAt === null) s.startedAt = at;
        finish(s, 'failed', { error: err.message });
      }
    }
    if (plan.events.length + plan.create.length === before) break;
  }

  if (plan.steps.every((s) => isStepFinal(s.status))) {
    const bad = plan.steps.find((s) => s.status === 'failed' && !onFailure.has(s.id) && !defs.get(s.id)?.continue_on_error);
    plan.status = bad ? 'failed' : 'completed';
    plan.error = bad ? `step ${bad.id} failed: ${bad.error ?? 'failed'}` : null;
    event(bad ? 'run_failed' : 'run_completed', null, bad ? { step: bad.id, error: plan.error } : {});
  }
  return plan;
}

/** Cancelling a run: every unfinished step is cancelled, and the open tasks with it. */
export function planCancel(
  run: WorkflowRun,
  tasks: ReadonlyMap<number, RunTaskView>,
  now: number,
  reason: string | null,
): RunPlan {
  const at = new Date(now).toISOString();
  const steps = structuredClone(run.steps);
  const cancel: number[] = [];
  for (const s of steps) {
    if (isStepFinal(s.status)) continue;
    s.status = 'cancelled';
    s.finishedAt = at;
    for (const id of s.taskIds) {
      const t = tasks.get(id);
      if (t && !TASK_DONE.includes(t.status)) cancel.push(id);
    }
  }
  return {
    steps,
    status: 'cancelled',
    error: reason,
    create: [],
    cancel,
    events: [{ type: 'run_cancelled', step: null, data: { run: run.id, workflow: run.workflow, ...(reason && { reason }) } }],
    changed: true,
  };
}
