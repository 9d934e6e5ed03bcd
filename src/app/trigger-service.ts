import { BatonError } from '../core/errors.js';
import type { Task } from '../core/types.js';
import { type EventView, eventMatches, eventView, logTypeOf } from '../core/workflow/events.js';
import type { WorkflowRecord } from '../core/workflow/record.js';
import { RenderError, renderValue } from '../core/workflow/render.js';
import { resolveParams } from '../core/workflow/run.js';
import type { TriggerDefinition } from '../core/workflow/schema.js';
import { cronFired, isDue, type TriggerChange, type TriggerState } from '../core/workflow/triggers.js';
import { type AppContext, writeTasks } from './context.js';
import { beginRun, runOfTask } from './run-advance.js';
import { startContext } from './run-service.js';
import { SYSTEM_ACTOR } from './task-writer.js';

/**
 * Workflow triggers (state and missed-run policy in `core/workflow/triggers.ts`), fired by the
 * sweep. Each firing is one transaction that first compares and sets the trigger's state, so of
 * two server replicas sweeping at once exactly one starts the run; the other writes nothing.
 */

/** Events an event trigger reads per sweep. */
const EVENT_PAGE = 500;
/** Runs one event trigger starts per sweep at most; the rest on the next one. */
const RUNS_PER_SWEEP = 50;

const iso = (ms: number) => new Date(ms).toISOString();

export async function fireTriggers(ctx: AppContext): Promise<void> {
  const states = await ctx.store.listTriggers();
  if (states.length === 0) return;
  const now = await ctx.store.now();
  for (const state of states) {
    if (state.kind === 'cron' && !isDue(state, now)) continue;
    const workflow = await ctx.store.getWorkflow(state.workflow, state.version);
    const trigger = workflow?.definition.triggers?.[state.index];
    if (!workflow || !trigger) continue;
    // A trigger that fails now is looked at again on the next sweep.
    if (state.kind === 'cron') await fireCron(ctx, state, workflow, trigger).catch(() => undefined);
    else await fireEvents(ctx, state, workflow, trigger).catch(() => undefined);
  }
}

/** The params of a run a trigger starts; a problem is reported as a `trigger_failed` event. */
function paramsOf(workflow: WorkflowRecord, trigger: TriggerDefinition, event: EventView | null) {
  try {
    const given = renderValue(trigger.params ?? {}, event ? { event } : {}) as Record<string, unknown>;
    return { params: resolveParams(workflow.definition, given) };
  } catch (err) {
    if (err instanceof RenderError || err instanceof BatonError) return { problem: err.message };
    throw err;
  }
}

async function fireCron(ctx: AppContext, state: TriggerState, workflow: WorkflowRecord, trigger: TriggerDefinition) {
  const made = paramsOf(workflow, trigger, null);
  const context = await startContext(ctx, workflow.definition);
  await writeTasks(ctx, async (tx, writer) => {
    const change = cronFired(state, trigger, tx.now, null);
    if (!(await tx.updateTrigger(state, change))) return;
    const origin = { trigger: { kind: 'cron', index: state.index, cron: trigger.cron, scheduledAt: state.nextAt } };
    if (!made.params) {
      await failed(tx, workflow, state, made.problem ?? 'invalid params', origin);
      return;
    }
    const run = await beginRun(ctx, tx, writer, workflow, made.params, { context, data: origin });
    await tx.updateTrigger({ ...state, ...change }, { ...change, lastRunId: run.id });
  });
}

async function fireEvents(ctx: AppContext, state: TriggerState, workflow: WorkflowRecord, trigger: TriggerDefinition) {
  const filter = trigger.event;
  if (!filter) return;
  const events = await ctx.store.events({ afterId: state.cursor ?? 0, limit: EVENT_PAGE });
  if (events.length === 0) return;
  const type = logTypeOf(filter.type);
  const own = new Map<number, boolean>();
  const matches: EventView[] = [];
  let cursor = events.at(-1)?.id ?? 0;
  for (const event of events) {
    if (event.type !== type) continue;
    const task = event.taskId === null ? undefined : await ctx.store.getTask(event.taskId);
    if (task && (await ofOwnRun(ctx, workflow.name, task, own))) continue;
    const view = eventView(event, task);
    if (!eventMatches(filter, view).match) continue;
    matches.push(view);
    if (matches.length === RUNS_PER_SWEEP) {
      cursor = event.id;
      break;
    }
  }
  const context = matches.length > 0 ? await startContext(ctx, workflow.definition) : {};
  await writeTasks(ctx, async (tx, writer) => {
    let change: TriggerChange = { nextAt: null, cursor, lastFiredAt: state.lastFiredAt, lastRunId: state.lastRunId };
    if (!(await tx.updateTrigger(state, change))) return;
    if (matches.length === 0) return;
    const prev = { ...state, ...change };
    for (const event of matches) {
      const origin = { trigger: { kind: 'event', index: state.index, event: event.id } };
      const made = paramsOf(workflow, trigger, event);
      if (!made.params) await failed(tx, workflow, state, made.problem ?? 'invalid params', origin);
      else {
        const run = await beginRun(ctx, tx, writer, workflow, made.params, { context, data: origin });
        change = { ...change, lastFiredAt: iso(tx.now), lastRunId: run.id };
      }
    }
    await tx.updateTrigger(prev, change);
  });
}

/** Whether `task` belongs to a run of `workflow`: a workflow never triggers itself. */
async function ofOwnRun(ctx: AppContext, workflow: string, task: Task, cache: Map<number, boolean>): Promise<boolean> {
  if (task.tags.includes(`workflow:${workflow}`)) return true;
  const runId = runOfTask(task);
  if (runId === null) return false;
  let own = cache.get(runId);
  if (own === undefined) {
    own = (await ctx.store.getRun(runId))?.workflow === workflow;
    cache.set(runId, own);
  }
  return own;
}

async function failed(
  tx: Parameters<Parameters<typeof writeTasks>[1]>[0],
  workflow: WorkflowRecord,
  state: TriggerState,
  error: string,
  data: Record<string, unknown>,
): Promise<void> {
  await tx.appendEvent({
    taskId: null,
    workerId: null,
    actor: SYSTEM_ACTOR,
    type: 'trigger_failed',
    at: iso(tx.now),
    changes: {},
    data: { workflow: workflow.name, version: state.version, error, ...data },
  });
}
