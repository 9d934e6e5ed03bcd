import { z } from 'zod';
import { workflowRefSchema } from '../core/schemas.js';
import { STEP_KINDS } from '../core/workflow/index.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext } from './tool.js';

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

export const WORKFLOW_TOOLS: Tool[] = [listWorkflows];
