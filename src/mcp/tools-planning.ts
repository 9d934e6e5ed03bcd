import { complexityReportSchema } from '../core/schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext } from './tool.js';

/** The complexity report, for an agent that plans the board before the crew starts. */

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

export const PLANNING_TOOLS: Tool[] = [complexityReport];
