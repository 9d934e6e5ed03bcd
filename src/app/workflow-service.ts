import { BatonError } from '../core/errors.js';
import { parseWith, workflowRefSchema, workflowSourceSchema } from '../core/schemas.js';
import { validateWorkflowSource, type WorkflowRecord, type WorkflowValidation } from '../core/workflow/index.js';
import { initialTriggers, type TriggerState } from '../core/workflow/triggers.js';
import type { WorkflowAdded, WorkflowSummary } from './baton.js';
import type { AppContext } from './context.js';

/** Workflow definitions: validate, register (versioned), list and read. */

const DEFAULT_FILE = 'workflow.yaml';

export function validateWorkflow(source: string, options: { file?: string | undefined } = {}): WorkflowValidation {
  const input = parseWith(workflowSourceSchema, { source, ...(options.file !== undefined && { file: options.file }) });
  return validateWorkflowSource(input.source, input.file ?? DEFAULT_FILE);
}

/**
 * Registers a definition: version 1 for a new name, the next version when the definition differs
 * from the latest one, and the latest one unchanged (`created: false`) when it is the same.
 */
export async function addWorkflow(
  ctx: AppContext,
  source: string,
  options: { file?: string | undefined } = {},
): Promise<WorkflowAdded> {
  const result = validateWorkflow(source, options);
  const definition = result.definition;
  if (!result.valid || !definition) {
    const first = result.problems[0];
    const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more)` : '';
    throw new BatonError(
      'invalid_workflow',
      first ? `${first.file}:${first.line}:${first.column}: ${first.message}${more}` : 'invalid workflow definition',
      { problems: result.problems },
    );
  }
  const text = JSON.stringify(definition);
  // Event triggers look only at events after the registration.
  const lastEventId = definition.triggers?.some((t) => t.event) ? await ctx.store.lastEventId() : 0;
  return ctx.store.transaction(async (tx) => {
    const latest = await tx.latestWorkflow(definition.name);
    if (latest && JSON.stringify(latest.definition) === text) return { workflow: latest, created: false };
    const workflow: WorkflowRecord = {
      name: definition.name,
      version: (latest?.version ?? 0) + 1,
      description: definition.description ?? null,
      definition,
      source,
      createdBy: ctx.actor,
      createdAt: new Date(tx.now).toISOString(),
    };
    await tx.insertWorkflow(workflow);
    await tx.setTriggers(workflow.name, initialTriggers(definition, workflow.version, tx.now, lastEventId));
    await tx.appendEvent({
      taskId: null,
      workerId: null,
      actor: ctx.actor,
      type: 'workflow_added',
      at: workflow.createdAt,
      changes: {},
      data: { name: workflow.name, version: workflow.version, steps: definition.steps.length },
    });
    return { workflow, created: true };
  });
}

export async function listWorkflows(ctx: AppContext): Promise<WorkflowSummary[]> {
  const triggers = await ctx.store.listTriggers();
  return (await ctx.store.listWorkflows()).map((w) => summaryOf(w, triggers));
}

export async function getWorkflow(
  ctx: AppContext,
  name: string,
  options: { version?: number | undefined } = {},
): Promise<WorkflowRecord> {
  const ref = parseWith(workflowRefSchema, { name, ...(options.version !== undefined && { version: options.version }) });
  const found = await ctx.store.getWorkflow(ref.name, ref.version);
  if (!found) {
    const what = ref.version === undefined ? `workflow ${ref.name}` : `version ${ref.version} of workflow ${ref.name}`;
    throw new BatonError('workflow_not_found', `${what} not found`, { name: ref.name, version: ref.version ?? null });
  }
  return found;
}

export function summaryOf(w: WorkflowRecord, triggers: readonly TriggerState[] = []): WorkflowSummary {
  const own = triggers.filter((t) => t.workflow === w.name && t.version === w.version);
  const next = own.flatMap((t) => (t.nextAt === null ? [] : [t.nextAt])).sort()[0] ?? null;
  const last = own
    .filter((t) => t.lastFiredAt !== null)
    .sort((a, b) => Date.parse(b.lastFiredAt as string) - Date.parse(a.lastFiredAt as string))[0];
  return {
    name: w.name,
    version: w.version,
    description: w.description,
    steps: w.definition.steps.length,
    triggers: w.definition.triggers?.length ?? 0,
    nextRunAt: next,
    lastTriggeredRun: last?.lastRunId ?? null,
    lastTriggeredAt: last?.lastFiredAt ?? null,
    createdAt: w.createdAt,
    createdBy: w.createdBy,
  };
}
