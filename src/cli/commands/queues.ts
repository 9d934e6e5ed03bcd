import type { Command } from 'commander';
import type { Baton, QueuesReport } from '../../app/baton.js';
import { BatonError } from '../../core/errors.js';
import { parseSeconds } from '../../core/values.js';
import { pc } from '../colors.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { table } from '../format.js';

type Opts = GlobalOptions & Record<string, unknown>;

const DRAIN_POLL_MS = 250;

/** `baton system pause|resume` and `baton queues`: stopping claims, and the named queues. */
export function registerQueueCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const system = program.command('system').description('system-wide control: pause and resume claims');
  system
    .command('pause')
    .description(
      'stop claims of every queue (or of one): workers keep asking and get nothing; tasks already executing keep running and may finish (--drain waits for them). Kept in the store: it survives restarts and holds for every replica',
    )
    .option('--queue <name>', 'pause this queue only')
    .option('--drain', 'then wait until no task (of that queue) is executing')
    .option('--timeout <duration>', 'with --drain: give up after this long (30s, 5m, 2h) with drain_timeout; the pause stays')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const queue = opts.queue === undefined ? undefined : String(opts.queue);
        const timeoutMs = opts.timeout === undefined ? null : parseSeconds(String(opts.timeout), 'timeout') * 1000;
        let report = await baton.pauseClaims(queue === undefined ? {} : { queue });
        if (opts.drain === true) report = await drain(baton, queue, timeoutMs);
        out.result(
          report,
          () =>
            `${queue ? `claims of queue ${queue}` : 'claims'} paused${opts.drain ? '; nothing is executing' : ''}\n${formatQueues(report)}`,
        );
      }),
    );
  system
    .command('resume')
    .description("resume claims of every queue (or of one); a queue's own pause outlasts the system's resume")
    .option('--queue <name>', 'resume this queue only')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const queue = opts.queue === undefined ? undefined : String(opts.queue);
        const report = await baton.resumeClaims(queue === undefined ? {} : { queue });
        out.result(report, () => `${queue ? `claims of queue ${queue}` : 'claims'} resumed\n${formatQueues(report)}`);
      }),
    );
  program
    .command('queues')
    .description('named queues: ready depth, executing, oldest wait, SLA breaches, pauses and caps')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const report = await baton.queues();
        out.result(report, () => formatQueues(report));
      }),
    );
}

/** Waits until no leased task (of `queue`) executes; `drain_timeout` once `timeoutMs` passed. */
async function drain(baton: Baton, queue: string | undefined, timeoutMs: number | null): Promise<QueuesReport> {
  const started = Date.now();
  for (;;) {
    const report = await baton.queues();
    const executing = queue === undefined ? report.executing : (report.queues.find((q) => q.name === queue)?.executing ?? 0);
    if (executing === 0) return report;
    if (timeoutMs !== null && Date.now() - started >= timeoutMs) {
      throw new BatonError(
        'drain_timeout',
        `${executing} task(s) still executing after ${Math.round(timeoutMs / 1000)} s; claims stay paused (baton system resume lifts it)`,
        { executing, ...(queue !== undefined && { queue }) },
      );
    }
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
}

export function formatQueues(report: QueuesReport): string {
  const lines: string[] = [];
  if (report.paused) lines.push(pc.red('SYSTEM PAUSED: no claims until `baton system resume`'));
  const cap = report.maxExecuting === null ? '' : ` of at most ${report.maxExecuting} (limits.maxExecuting)`;
  lines.push(`Executing ${report.executing}${cap}`, '');
  const dash = pc.dim('-');
  const rows = report.queues.map((q) => [
    pc.bold(q.name),
    String(q.depth),
    `${q.executing}${q.settings?.maxExecuting ? `/${q.settings.maxExecuting}` : ''}`,
    String(q.waiting),
    q.settings?.maxSize ? String(q.settings.maxSize) : dash,
    q.oldestWaitSeconds === null ? dash : formatWait(q.oldestWaitSeconds),
    q.slaBreaches > 0 ? pc.yellow(String(q.slaBreaches)) : '0',
    q.paused ? pc.red('paused') : 'open',
  ]);
  lines.push(table(['QUEUE', 'READY', 'EXECUTING', 'WAITING', 'MAX SIZE', 'OLDEST WAIT', 'SLA BREACHES', 'CLAIMS'], rows));
  return lines.join('\n');
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}
