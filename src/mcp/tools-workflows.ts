import { z } from 'zod';
import { approveStepSchema, runIdSchema, startRunSchema, workflowRefSchema } from '../core/schemas.js';
import { STEP_KINDS } from '../core/workflow/index.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';

/** Workflow definitions, as an agent reads them: what is registered, and what one does. */

const listWorkflowsInput = z.strictObject({
  name: workflowRefSchema.shape.name.optional().describe('read this one workflow: its params, steps and triggers'),
  version: workflowRefSchema.shape.version.describe('with name: this version instead of the latest'),
});

const listWorkflows = defineTool({
  name: 'list_workflows',
  title: 'List workflow definitions',
  description:
    'The registered workflow definitions (name, latest version, description, number of steps and triggers). ' +
    'Give name to read one: its params, and each step (id, what it does: task, approval, wait or sub-workflow, and what it needs).',
  input: listWorkflowsInput,
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    if (args.name === undefined) {
      const all = await baton.listWorkflows();
      return {
        summary: `${all.length} workflow${all.length === 1 ? '' : 's'}: ${all.map((w) => `${w.name} v${w.version}`).join(', ') || 'none'}`,
        data: { workflows: all },
      };
    }
    const w = await baton.getWorkflow(args.name, args.version === undefined ? {} : { version: args.version });
    const d = w.definition;
    const steps = d.steps.map((s) => ({
      id: s.id,
      does: STEP_KINDS.find((k) => s[k] !== undefined),
      ...(s.task && { title: s.task.title, capabilities: s.task.capabilities ?? [] }),
      ...(s.workflow && { workflow: s.workflow.name }),
      needs: s.needs ?? [],
      ...(s.if && { if: s.if }),
      ...(s.foreach !== undefined && { foreach: s.foreach }),
      ...(s.loop && { loop: s.loop }),
    }));
    return {
      summary: `${w.name} v${w.version}: ${d.steps.length} steps${d.description ? ` — ${d.description}` : ''}`,
      data: {
        name: w.name,
        version: w.version,
        description: w.description,
        params: d.params ?? {},
        steps,
        onFailure: d.on_failure ?? [],
        triggers: d.triggers ?? [],
      },
    };
  },
});

const runWorkflowInput = z.strictObject({
  name: startRunSchema.shape.name.describe('the registered workflow to run'),
  params: startRunSchema.shape.params.describe("the run's params, by name (checked against the definition)"),
  version: startRunSchema.shape.version.describe('run this version instead of the latest'),
});

/** What an agent needs of a run: each step's state and tasks. */
function runData(run: Awaited<ReturnType<ToolContext['baton']['getRun']>>) {
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    error: run.error,
    params: run.params,
    task: run.parentTaskId,
    steps: run.steps.map((s) => ({
      id: s.id,
      status: s.status,
      tasks: run.tasks
        .filter((t) => t.step === s.id)
        .map((t) => ({ id: t.id, status: t.status, title: t.title, ...(t.run !== undefined && { run: t.run }) })),
      ...(s.error && { error: s.error }),
      ...(s.waitUntil && { waitUntil: s.waitUntil }),
      result: s.result,
    })),
  };
}

const runWorkflow = defineTool({
  name: 'run_workflow',
  title: 'Run a workflow',
  description:
    'Start a run of a registered workflow with params. Its steps become ordinary tasks (tagged run:N and step:ID) that workers claim; ' +
    'read its progress with workflow_status.',
  input: runWorkflowInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    const run = await baton.startRun(args.name, {
      ...(args.params !== undefined && { params: args.params }),
      ...(args.version !== undefined && { version: args.version }),
    });
    return { summary: `started run ${run.id} of ${run.workflow} v${run.version}`, data: runData(run) };
  },
});

const workflowStatus = defineTool({
  name: 'workflow_status',
  title: 'Read a workflow run',
  description:
    "A workflow run's state: each step's status (pending, waiting, running, completed, failed, skipped, cancelled), its tasks and result.",
  input: z.strictObject({ run: runIdSchema.describe('the run id') }),
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const run = await baton.getRun(args.run);
    const counts = run.steps.map((s) => `${s.id} ${s.status}`).join(', ');
    return { summary: `run ${run.id} of ${run.workflow}: ${run.status} (${counts})`, data: runData(run) };
  },
});

const approveStep = defineTool({
  name: 'approve_step',
  title: 'Approve or reject a workflow step',
  description:
    "Decide an approval step that waits (workflow_status shows it as waiting with approval): approve it and the run goes on, or reject it (reject: true) and the step fails. The caller's role must be one the step names.",
  input: z.strictObject({
    run: runIdSchema.describe('the run id'),
    step: approveStepSchema.shape.step.describe('the approval step id'),
    reject: approveStepSchema.shape.reject.describe('reject instead of approve'),
    comment: approveStepSchema.shape.comment.describe('why, for the record'),
  }),
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    const run = await baton.approveStep(args.run, args.step, {
      ...(args.reject !== undefined && { reject: args.reject }),
      ...(args.comment !== undefined && { comment: args.comment }),
    });
    const step = run.steps.find((s) => s.id === args.step);
    return { summary: `step ${args.step} of run ${run.id} ${step?.status ?? 'decided'}; run ${run.status}`, data: runData(run) };
  },
});

export const WORKFLOW_TOOLS: Tool[] = [listWorkflows, runWorkflow, workflowStatus, approveStep];
