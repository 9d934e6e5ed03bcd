import type { Task } from '../core/types.js';
import type { PlanContext } from '../core/workflow/engine.js';
import { type EventView, eventMatches, eventView, logTypeOf } from '../core/workflow/events.js';
import type { WorkflowRecord } from '../core/workflow/record.js';
import { isStepFinal, type StepState, type WorkflowRun } from '../core/workflow/run.js';
import type { StepDefinition, WorkflowDefinition } from '../core/workflow/schema.js';
import type { AppContext } from './context.js';

/**
 * What the run engine reads besides a run and its tasks (`PlanContext`), read from committed state
 * before the run's transaction: the workflows its sub-workflow steps start (and theirs, so a
 * sub-run can start its own at once), how deep it is nested, the newest event id, and the events
 * its `wait: { event }` steps have been waiting for. Only what the run's open steps need is read.
 */

/** Events read per page while looking for one a waiting step is waiting for. */
const SCAN_PAGE = 500;
/** Pages read per waiting step per advance; the rest on the next sweep. */
const SCAN_PAGES = 20;

/**
 * Per store, how far each waiting step has looked without a match (`run:step` → event id). A
 * filter's verdict on an event never changes (the step's params and upstream results are final),
 * so what was looked at need not be looked at again.
 */
const scanned = new WeakMap<object, Map<string, number>>();

export async function planContext(
  ctx: AppContext,
  definition: WorkflowDefinition,
  run: WorkflowRun,
  known: { depth?: number } = {},
): Promise<PlanContext> {
  const states = new Map(run.steps.map((s) => [s.id, s]));
  const open = definition.steps.filter((d) => !isStepFinal(states.get(d.id)?.status ?? 'pending'));
  const context: PlanContext = {};
  const starting = open.some((d) => d.workflow || d.wait?.event);
  if (starting) context.lastEventId = await ctx.store.lastEventId();
  if (open.some((d) => d.workflow)) {
    context.workflows = await workflowsReachable(ctx, definition);
    context.depth = known.depth ?? (await depthOf(ctx, run));
  }
  const waiting = open.filter((d) => d.wait?.event && states.get(d.id)?.status === 'waiting');
  if (waiting.length > 0) {
    const events = new Map<string, EventView>();
    for (const def of waiting) {
      const found = await findEvent(ctx, run, def, states.get(def.id) as StepState);
      if (found) events.set(def.id, found);
    }
    context.events = events;
  }
  return context;
}

/** The workflows `definition` starts as sub-workflows, and the ones those start, by name (latest versions). */
export async function workflowsReachable(ctx: AppContext, definition: WorkflowDefinition): Promise<Map<string, WorkflowRecord>> {
  const found = new Map<string, WorkflowRecord>();
  const queue = [definition];
  for (let def = queue.shift(); def; def = queue.shift()) {
    for (const step of def.steps) {
      const name = step.workflow?.name;
      if (name === undefined || found.has(name)) continue;
      const record = await ctx.store.getWorkflow(name);
      if (!record) continue;
      found.set(name, record);
      queue.push(record.definition);
    }
  }
  return found;
}

/** How many runs `run` is nested in: the run tasks among its own task's ancestors. */
async function depthOf(ctx: AppContext, run: WorkflowRun): Promise<number> {
  let depth = 0;
  let id = run.parentTaskId === null ? null : ((await ctx.store.getTask(run.parentTaskId))?.parentId ?? null);
  for (let hops = 0; id !== null && hops < 64; hops++) {
    const task: Task | undefined = await ctx.store.getTask(id);
    if (!task) break;
    if (task.tags.some((t) => t.startsWith('workflow:'))) depth++;
    id = task.parentId;
  }
  return depth;
}

/** The first event after the step started that passes its filter, or undefined. */
async function findEvent(
  ctx: AppContext,
  run: WorkflowRun,
  def: StepDefinition,
  state: StepState,
): Promise<EventView | undefined> {
  const filter = def.wait?.event;
  if (!filter) return undefined;
  let seen = scanned.get(ctx.store);
  // Entries of runs long finished are dropped wholesale; looking again is only slower.
  if (!seen || seen.size > 10_000) {
    seen = new Map<string, number>();
    scanned.set(ctx.store, seen);
  }
  const key = `${run.id}:${def.id}`;
  let after = Math.max(state.eventAfter ?? 0, seen.get(key) ?? 0);
  const type = logTypeOf(filter.type);
  const vars = {
    params: run.params,
    steps: Object.fromEntries(run.steps.map((s) => [s.id, { status: s.status, result: s.result }])),
  };
  for (let page = 0; page < SCAN_PAGES; page++) {
    const events = await ctx.store.events({ afterId: after, limit: SCAN_PAGE });
    for (const event of events) {
      if (event.type !== type) continue;
      const task = event.taskId === null ? undefined : await ctx.store.getTask(event.taskId);
      const view = eventView(event, task);
      if (eventMatches(filter, view, vars).match) return view;
    }
    const last = events.at(-1);
    if (last) after = last.id;
    seen.set(key, after);
    if (events.length < SCAN_PAGE) break;
  }
  return undefined;
}
