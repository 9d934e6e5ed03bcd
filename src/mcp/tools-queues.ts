import type { QueuesReport } from '../app/baton.js';
import { pauseSchema } from '../core/queues.js';
import { noInput } from './schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';

/** Named queues and system pauses, for an agent that runs or watches the board. */

const queueInput = pauseSchema.extend({
  queue: pauseSchema.shape.queue.describe('one named queue (e.g. "deploy"); without it, every queue: the whole system'),
});

function reported(report: QueuesReport, head: string) {
  const line = (q: QueuesReport['queues'][number]) =>
    `${q.name}: ${q.depth} ready, ${q.executing} executing${q.paused ? ' (paused)' : ''}${q.slaBreaches ? `, ${q.slaBreaches} SLA breaches` : ''}`;
  return {
    summary: `${head}${report.paused ? 'SYSTEM PAUSED; ' : ''}${report.queues.slice(0, 20).map(line).join('; ')}`,
    data: { ...report, queues: report.queues.slice(0, 100) },
  };
}

const listQueues = defineTool({
  name: 'list_queues',
  title: 'Queues',
  description:
    'The named queues tasks wait in (create_task with queue; "default" unless given): for each, tasks ready to claim, ' +
    'tasks executing, the longest wait, SLA breaches, whether its claims are paused, and its settings (maxSize, maxExecuting, ' +
    'timeout, retries). Also whether the whole system is paused and the store-wide cap on executing tasks.',
  input: noInput,
  annotations: READ_ONLY,
  async run(_args, { baton }: ToolContext) {
    return reported(await baton.queues(), '');
  },
});

const pauseClaims = defineTool({
  name: 'pause_claims',
  title: 'Pause claims',
  description:
    'Stop every claim (or the claims of one queue) until resume_claims: next_task then gives nobody a task. Tasks already ' +
    'executing keep running and may finish. The pause is kept in the store and holds for every worker and server.',
  input: queueInput,
  annotations: { ...WRITE, destructiveHint: true },
  async run(args, { baton }: ToolContext) {
    return reported(await baton.pauseClaims(args), `claims${args.queue ? ` of queue ${args.queue}` : ''} paused; `);
  },
});

const resumeClaims = defineTool({
  name: 'resume_claims',
  title: 'Resume claims',
  description:
    "Lift the pause of every claim (or of one queue's claims) set by pause_claims or `baton system pause`; a queue's own pause " +
    "outlasts the system's resume.",
  input: queueInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    return reported(await baton.resumeClaims(args), `claims${args.queue ? ` of queue ${args.queue}` : ''} resumed; `);
  },
});

export const QUEUE_TOOLS: Tool[] = [listQueues, pauseClaims, resumeClaims];
