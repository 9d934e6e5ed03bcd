import { z } from 'zod';
import type { PlanTaskView } from '../app/baton.js';
import { planToMarkdown } from '../core/plan/document.js';
import { complexityReportSchema, exportPlanSchema, LIMITS } from '../core/schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';

/** The complexity report and plans in and out, for an agent that plans the board before the crew starts. */

const complexityReport = defineTool({
  name: 'complexity_report',
  title: 'Complexity report',
  description:
    'Every open task without subtasks scored from 1 (trivial) to 10 (far too big for one worker) with the reasons, highest ' +
    'first, and the ids of those at or above threshold (default 7) that should be broken down: call breakdown_task on each ' +
    '(or ask a person to run `baton breakdown --all`).',
  input: complexityReportSchema.extend({
    threshold: complexityReportSchema.shape.threshold.describe(
      'the score from which a task should be broken down (1–10, default 7)',
    ),
  }),
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const report = await baton.complexityReport(args);
    const top = report.tasks.slice(0, 10).map((t) => `#${t.id} ${t.score}/10 ${t.title.slice(0, 60)}`);
    const n = report.toBreakDown.length;
    return {
      summary: `${n} of ${report.tasks.length} open tasks score ${report.threshold} or more${n ? `: break down ${report.toBreakDown.slice(0, 20).join(', ')}` : ''}. Highest: ${top.join('; ')}`,
      data: { ...report, tasks: report.tasks.slice(0, 50).map((t) => ({ ...t, reasons: t.reasons.slice(0, 3) })) },
    };
  },
});

const importPlan = defineTool({
  name: 'import_plan',
  title: 'Import a plan',
  description:
    'Create many tasks at once from a plan in Markdown: a heading is a task (deeper headings its subtasks); list and checklist ' +
    'items are subtasks of the heading or item above them ("- [x]" = already done); on a title "@name" adds a capability, ' +
    '"!high" sets the priority (critical, high, normal, low, maintenance), "~2h" the estimate; a line "depends on #3, #5" ' +
    'or "after <title of an item>" under an item says what must finish first (#N = the Nth item counted top to bottom, ' +
    '"task 57" = a task already on the board); other lines are the description. A subtask inherits its parent\'s ' +
    'capabilities, priority and dependencies. A document without any list is prose: the planner breaks it down. ' +
    'Everything is created in one transaction, or nothing (invalid_plan lists each problem with its line). Use dry_run first.',
  input: z.strictObject({
    markdown: z.string().max(LIMITS.planChars).describe('the plan as Markdown'),
    dry_run: z.boolean().optional().describe('only show the tree it would create'),
    hold: z.boolean().optional().describe('create every task on hold, so no worker claims one until it is resumed'),
    queue: z.string().optional().describe('the queue every task waits in'),
  }),
  annotations: { ...WRITE, idempotentHint: false },
  async run(args, { baton }: ToolContext) {
    const result = await baton.importPlan({
      markdown: args.markdown,
      ...(args.dry_run !== undefined && { dryRun: args.dry_run }),
      ...(args.hold !== undefined && { hold: args.hold }),
      ...(args.queue !== undefined && { queue: args.queue }),
    });
    const lines: string[] = [];
    const walk = (list: readonly PlanTaskView[], depth: number) => {
      for (const t of list) {
        if (lines.length < 60)
          lines.push(`${'  '.repeat(depth)}${t.ref}. ${t.id !== null ? `#${t.id} ` : ''}${t.title} (${t.status})`);
        walk(t.subtasks, depth + 1);
      }
    };
    walk(result.tasks, 0);
    const head = result.dryRun ? 'Dry run, nothing created. The plan reads as:' : `Created ${result.created} tasks:`;
    return { summary: [head, ...lines, ...result.warnings.map((w) => `warning: ${w}`)].join('\n'), data: result };
  },
});

const exportPlan = defineTool({
  name: 'export_plan',
  title: 'Export a plan',
  description:
    'The tree under a task (root), or every task, as a Markdown plan — the format import_plan reads — with "[x]" on completed ' +
    'tasks and the structured tree in data.',
  input: exportPlanSchema.extend({
    root: exportPlanSchema.shape.root.describe('the task whose tree to export (default: every task)'),
  }),
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const plan = await baton.exportPlan(args);
    return { summary: planToMarkdown(plan), data: plan };
  },
});

export const PLANNING_TOOLS: Tool[] = [complexityReport, importPlan, exportPlan];
