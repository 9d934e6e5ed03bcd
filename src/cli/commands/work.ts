import type { Command } from 'commander';
import type { Baton, CompleteTaskInput } from '../../app/baton.js';
import { BatonError, invalid } from '../../core/errors.js';
import type { Task } from '../../core/types.js';
import { parseJson, parseList, parsePositiveInt, parseProgress, parseSeconds, parseTaskId } from '../../core/values.js';
import { ExitSignal, type GlobalOptions, type Output, withBaton } from '../context.js';
import { formatTaskLine } from '../format.js';

type Opts = GlobalOptions & Record<string, unknown>;

const token = (opts: Opts) => (opts.token !== undefined ? parsePositiveInt(String(opts.token), 'token') : undefined);
const worker = (opts: Opts) => String(opts.worker);
const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The worker's side: claim, report, finish. Arguments are turned into one `Baton` call's input,
 * whose limits are those of the core schemas, applied by the app (or the server).
 */
export function registerWorkCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('next')
    .description('claim the best task this worker can do; prints it with its lease, or null')
    .requiredOption('-w, --worker <id>', 'worker id')
    .option('-c, --capabilities <caps>', "the worker's capabilities, comma-separated")
    .option('--wait <seconds>', 'wait up to this long for a task', '0')
    .option('--lease <seconds>', 'lease length (default from config: 300)')
    .option('--with-command', 'only a task that has a shell command')
    .option('--queues <names>', 'only tasks of these named queues, comma-separated')
    .action(async (opts: Opts) => {
      const waitSeconds = String(opts.wait).trim() === '' ? Number.NaN : Number(opts.wait);
      if (!Number.isFinite(waitSeconds)) throw invalid('wait', `must be a number of seconds (got "${opts.wait}")`);
      // A server never sees the wait (the client turns it into long polls), so it is checked here.
      const { claimSchema, parseWith } = await import('../../core/schemas.js');
      const request = parseWith(claimSchema, {
        workerId: worker(opts),
        waitSeconds,
        ...(opts.capabilities !== undefined && { capabilities: parseList(String(opts.capabilities), 'capabilities') }),
        ...(opts.lease !== undefined && { leaseSeconds: parseSeconds(String(opts.lease), 'lease') }),
        ...(opts.withCommand === true && { withCommand: true }),
        ...(opts.queues !== undefined && { queues: parseList(String(opts.queues), 'queues') }),
      });
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.claim(request);
        out.result(task, () =>
          task
            ? `claimed ${formatTaskLine(task)}\n  lease: token ${task.lease?.token}, expires ${task.lease?.expiresAt}`
            : 'no task available',
        );
      });
    });

  program
    .command('claim')
    .description('claim this one ready task (same lease and capability rules as next); refused with the reason')
    .argument('<id>', 'task id')
    .requiredOption('-w, --worker <id>', 'worker id')
    .option('-c, --capabilities <caps>', "the worker's capabilities, comma-separated")
    .option('--lease <seconds>', 'lease length (default from config: 300)')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const request = {
        workerId: worker(opts),
        ...(opts.capabilities !== undefined && { capabilities: parseList(String(opts.capabilities), 'capabilities') }),
        ...(opts.lease !== undefined && { leaseSeconds: parseSeconds(String(opts.lease), 'lease') }),
      };
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.claimTask(taskId, request);
        out.result(
          task,
          () => `claimed ${formatTaskLine(task)}\n  lease: token ${task.lease?.token}, expires ${task.lease?.expiresAt}`,
        );
      });
    });

  program
    .command('progress')
    .description('report progress on a claimed task (renews the lease)')
    .argument('<id>', 'task id')
    .argument('<percent>', '0–100')
    .requiredOption('-w, --worker <id>', 'worker id')
    .option('--note <text>', 'a note for the history')
    .option('--step <name>', 'name of the step reached (a checkpoint)')
    .option('--token <token>', 'fencing token of the claim')
    .action(async (id: string, percent: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const input = {
        workerId: worker(opts),
        token: token(opts),
        progress: parseProgress(percent),
        note: opts.note as string | undefined,
        step: opts.step as string | undefined,
      };
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.reportProgress(taskId, input);
        out.result(task, () => `${formatTaskLine(task)} at ${task.progress}%`);
      });
    });

  program
    .command('done')
    .description('complete a claimed task; several ids complete each as if alone, in one request')
    .argument('<ids...>', 'task id(s)')
    .requiredOption('-w, --worker <id>', 'worker id')
    .option('--result <json>', 'result payload (JSON)')
    .option('--artifact <path>', 'a file or URL produced (repeatable)', collect)
    .option('--token <token>', 'fencing token of the claim (one id only)')
    .action(async (ids: string[], opts: Opts) => {
      const taskIds = ids.map((id) => parseTaskId(id));
      const input = {
        workerId: worker(opts),
        token: token(opts),
        ...(opts.result !== undefined && { result: parseJson(String(opts.result), 'result') }),
        ...(opts.artifact !== undefined && { artifacts: opts.artifact as string[] }),
      };
      if (taskIds.length > 1 && input.token !== undefined) {
        throw invalid('token', 'a token names one claim: give one id with --token, or several ids without it');
      }
      await withBaton(g(opts), async (baton, out) => {
        if (taskIds.length > 1) return completeSeveral(baton, out, taskIds, input);
        const task = await baton.complete(taskIds[0] as number, input);
        out.result(task, () => completedLine(task));
      });
    });

  program
    .command('fail')
    .description('report a failed attempt (retried per policy until maxRetries)')
    .argument('<id>', 'task id')
    .requiredOption('-w, --worker <id>', 'worker id')
    .requiredOption('-e, --error <text>', 'what went wrong')
    .option('--token <token>', 'fencing token of the claim')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const input = { workerId: worker(opts), token: token(opts), error: String(opts.error) };
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.fail(taskId, input);
        out.result(task, () =>
          task.status === 'failed'
            ? `failed ${formatTaskLine(task)} (no retries left)`
            : `${formatTaskLine(task)} will be retried${task.runAfter ? ` after ${task.runAfter}` : ''} (retry ${task.retries}/${task.maxRetries})`,
        );
      });
    });

  program
    .command('release')
    .description('give a claimed task back to the queue')
    .argument('<id>', 'task id')
    .requiredOption('-w, --worker <id>', 'worker id')
    .option('--token <token>', 'fencing token of the claim')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const input = { workerId: worker(opts), token: token(opts) };
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.release(taskId, input);
        out.result(task, () => `released ${formatTaskLine(task)}`);
      });
    });

  program
    .command('review')
    .description('pass or fail a task awaiting review (by a different worker)')
    .argument('<id>', 'task id')
    .requiredOption('-w, --worker <id>', 'reviewer id')
    .option('--pass', 'accept the work')
    .option('--fail', 'send it back to the queue')
    .option('--feedback <text>', 'what to change, kept in the history')
    .option('--score <n>', 'score 0–100')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      if (Boolean(opts.pass) === Boolean(opts.fail))
        throw new BatonError('usage', 'review: give exactly one of --pass or --fail');
      const score = opts.score !== undefined ? Number(opts.score) : undefined;
      if (score !== undefined && !Number.isFinite(score)) throw invalid('score', `must be a number (got "${opts.score}")`);
      const input = { workerId: worker(opts), pass: Boolean(opts.pass), feedback: opts.feedback as string | undefined, score };
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.review(taskId, input);
        out.result(task, () => `${input.pass ? 'passed' : 'sent back'} ${formatTaskLine(task)}`);
      });
    });
}

const completedLine = (task: Task) =>
  task.status === 'reviewing' ? `${formatTaskLine(task)} awaits review` : `completed ${formatTaskLine(task)}`;

/** `baton done 3 4 5`: one `completeMany`; a refused task is reported, and the exit code is that of the first refusal. */
async function completeSeveral(baton: Baton, out: Output, ids: number[], input: CompleteTaskInput): Promise<void> {
  const results = await baton.completeMany(ids.map((id) => ({ ...input, id })));
  out.result({ results: results.map((r) => (r.ok ? r : { ...r, error: r.error.toJSON() })) }, () =>
    results.map((r) => (r.ok ? completedLine(r.task) : `#${r.id} refused: ${r.error.message} (${r.error.code})`)).join('\n'),
  );
  const refused = results.find((r) => !r.ok);
  if (refused && !refused.ok) throw new ExitSignal(refused.error.exitCode);
}
