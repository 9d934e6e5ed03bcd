import type { Command } from 'commander';
import pc from 'picocolors';
import type { AssignmentExplanation } from '../../core/assignment.js';
import type { BidInput } from '../../core/schemas.js';
import { parseSeconds, parseTaskId } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { formatBid } from '../format.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** Assignment strategies at the terminal: bid in an auction, and see why a task goes to whom. */
export function registerAssignmentCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('bid')
    .description("bid in a task's auction for a worker (assignment: auction); the best bid gets the task")
    .argument('<id>', 'task id')
    .requiredOption('--worker <id>', 'the bidding worker (registered, online, able to do the task)')
    .requiredOption('--score <n>', 'how well placed the worker is, 0 to 1 (higher wins)')
    .option('--eta <duration>', 'how long the worker expects it to take, e.g. 90s, 20m, 2h')
    .option('--note <text>', 'why this worker')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const input: BidInput = {
        workerId: String(opts.worker),
        score: Number(opts.score),
        ...(opts.eta !== undefined && { etaSeconds: parseSeconds(String(opts.eta), 'eta') }),
        ...(opts.note !== undefined && { note: String(opts.note) }),
      };
      await withBaton(g(opts), async (baton, out) => {
        const bid = await baton.bid(taskId, input);
        out.result(bid, () => `#${taskId} bid: ${formatBid(bid)}`);
      });
    });

  program
    .command('explain-assignment')
    .description('why a task goes (or would go) to whom: its mode, each worker’s score and why, its offer and bids')
    .argument('<id>', 'task id')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const explanation = await baton.explainAssignment(taskId);
        out.result(explanation, () => formatExplanation(explanation));
      });
    });
}

function formatExplanation(e: AssignmentExplanation): string {
  const lines = [`#${e.taskId} assignment: ${pc.bold(e.mode)}`];
  if (e.offer) {
    const state = e.offer.closedAt ? `closed ${e.offer.outcome}` : `open until ${e.offer.closesAt}`;
    lines.push(`  ${e.offer.kind} ${e.offer.id}${e.offer.workerId ? ` → ${e.offer.workerId}` : ''}: ${state}`);
  }
  if (e.candidates.length === 0) lines.push(pc.dim('  no registered workers'));
  for (const c of e.candidates) {
    const rank = c.rank !== null ? pc.bold(`#${c.rank}`) : pc.dim('--');
    lines.push(`  ${rank} ${c.id.padEnd(16)} ${c.reasons.join('; ')}`);
  }
  if (e.bids.length > 0) lines.push('  bids, best first:');
  for (const b of e.bids) lines.push(`    ${formatBid(b)} ${pc.dim(`load ${b.load}`)}`);
  return lines.join('\n');
}
