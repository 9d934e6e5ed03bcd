import { z } from 'zod';
import { bidSchema } from '../core/schemas.js';
import { taskRefInput } from './schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';

/** Assignment strategies for an agent: bid in an auction as this session's worker, and see why a task goes to whom. */

const bidInput = taskRefInput.extend({
  score: bidSchema.shape.score.describe('how well placed you are for the task, 0 to 1; the highest bid wins'),
  etaSeconds: bidSchema.shape.etaSeconds.describe('how long you expect it to take, in seconds'),
  note: bidSchema.shape.note.describe('why you, in a few words'),
});

const bidTask = defineTool({
  name: 'bid_task',
  title: 'Bid for a task',
  description:
    'Bid for a task being auctioned (its assignment mode is auction; an auction_opened event announces it). When the window ' +
    'closes (2 s by default) or every capable online worker has bid, the best bid — score, then the least loaded worker, then ' +
    'the earliest — gets the task reserved: next_task then gives it to the winner. Refused (not_in_auction, auction_closed, ' +
    'incapable_worker, worker_offline) without changing anything.',
  input: bidInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const { id, ...rest } = args;
    const bid = await baton.bid(id, { workerId: session.workerId, ...rest });
    return { summary: `bid ${bid.score} for task #${id} as ${bid.workerId}`, data: bid };
  },
});

const explainAssignment = defineTool({
  name: 'explain_assignment',
  title: 'Explain an assignment',
  description:
    'Why a task goes (or would go) to whom: its assignment mode (pull, push, hybrid, auction), every registered worker scored ' +
    'for it (capability fit, load, success rate, speed) with the reasons, its push offer or auction, and the bids best first.',
  input: z.strictObject({ id: taskRefInput.shape.id }),
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const e = await baton.explainAssignment(args.id);
    const best = e.candidates.find((c) => c.rank === 1);
    return {
      summary: `#${e.taskId} (${e.mode}): ${best ? `best worker ${best.id} (${best.reasons.join('; ')})` : 'no worker can take it now'}`,
      data: { ...e, candidates: e.candidates.slice(0, 50) },
    };
  },
});

export const ASSIGNMENT_TOOLS: Tool[] = [bidTask, explainAssignment];
