import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Baton } from '../../app/baton.js';
import { type BreakerConfig, parseBreakerSpec } from '../../core/breaker.js';
import { BatonError, invalid } from '../../core/errors.js';
import { isFinal } from '../../core/lifecycle.js';
import { LIMITS } from '../../core/limits.js';
import { DEFAULT_POLICY, ENV_NAME_PATTERN } from '../../core/policy.js';
import { parseList, parseNonNegativeInt, parsePositiveInt, parseSeconds, parseTaskId } from '../../core/values.js';
import { BATON_SECRETS } from '../../worker/command-env.js';
import type { Executor } from '../../worker/types.js';
import { ExitSignal, type GlobalOptions, type Output, serverOf, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton worker` (the loop) and `baton logs` (what its attempts printed). */
export function registerWorkerCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('worker')
    .description('run a worker: claim the best task it can do, run it, report, repeat until stopped')
    .argument('[id]', 'worker id (default: generated from host and pid)')
    .argument('[name]', 'display name')
    .argument('[capabilities]', 'capabilities, comma-separated')
    .option('--name <name>', 'display name')
    .option('-c, --capabilities <caps>', 'capabilities, comma-separated')
    .option('--exec <cmd>', 'run CMD for each task (task JSON on stdin, in $BATON_TASK_FILE, and BATON_TASK_* variables)')
    .option('--concurrency <n>', 'tasks run at the same time', '1')
    .option('--prefetch <n>', 'tasks claimed ahead and kept waiting for a free slot (for many short tasks)', '0')
    .option(
      '--bid <cmd>',
      'bid in auctions (assignment: auction) of tasks it can do: CMD reads the task JSON on stdin and prints a score 0–1 or {"score","etaSeconds","note"}; nothing or a non-zero exit declines',
    )
    .option('--once', 'run one task, then exit')
    .option('--queues <names>', 'serve only these named queues, comma-separated (default: every queue)')
    .option('--replace', 'take the worker id over from another live process (which then stops) instead of refusing to start')
    .option(
      '--breaker [spec]',
      'circuit breaker: stop claiming after N failed attempts in a row, for a cool-down (5,10m or 5/10m; also a rate: 5,10m,50%/20; default from config: workers.breaker)',
    )
    .option('--no-breaker', 'run without a circuit breaker (removes one registered before, or the config default)')
    .option('--grace <seconds>', 'on SIGINT/SIGTERM, let running tasks finish this long before releasing them', '30')
    .option('--simulate [seconds]', 'demo only: fake progress for this long, then complete (noted in history)')
    .option('--lease <seconds>', 'lease length of each claim (default from config: 300)')
    .option(
      '--env-allow <names>',
      "variables a command sees, comma-separated, * allowed (default from config: *); Baton's own secrets only when named",
    )
    .option('--env-deny <names>', 'variables a command never sees, comma-separated, * allowed (default from config: none)')
    .addHelpText(
      'after',
      '\nA command reports progress with lines "::progress 40 Writing tests" and its result with "::result {json}";\n' +
        'exit 0 completes the task, any other code fails it. Output is kept in .baton/logs/<task>-<attempt>.log.',
    )
    .action(async (idArg: string | undefined, nameArg: string | undefined, capsArg: string | undefined, opts: Opts) => {
      const o = g(opts);
      const settings = workerSettings(idArg, nameArg, capsArg, o);
      await withBaton(o, async (baton) => runWorker(baton, settings, o));
    });

  program
    .command('logs')
    .description("print the output kept for a task's attempts")
    .argument('<id>', 'task id')
    .option('--attempt <n>', 'only this attempt')
    .option('-f, --follow', 'keep printing new output until the task stops running')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const o = g(opts);
      const attempt = opts.attempt !== undefined ? parsePositiveInt(String(opts.attempt), 'attempt') : undefined;
      await withBaton(o, async (baton, out) => {
        await baton.getTask(taskId);
        if (serverOf(o)) {
          await serverLogs(baton, out, taskId, attempt, opts.follow === true);
          return;
        }
        const { attemptLogs } = await import('../../app/attempt-logs.js');
        const logDir = await logDirOf(o);
        const logs = attemptLogs(logDir, taskId).filter((l) => attempt === undefined || l.attempt === attempt);
        if (o.json) {
          out.result({ taskId, logs: logs.map((l) => ({ ...l, text: readFileSync(l.path, 'utf8') })) }, () => '');
          return;
        }
        if (logs.length === 0 && !opts.follow) {
          throw new BatonError('task_not_found', `no output kept for task ${taskId}${attempt ? ` attempt ${attempt}` : ''}`);
        }
        for (const log of logs) {
          if (logs.length > 1) process.stdout.write(`==> ${log.path} <==\n`);
          process.stdout.write(readFileSync(log.path, 'utf8'));
        }
        if (opts.follow) await follow(baton, logDir, taskId, logs.at(-1));
      });
    });
}

interface WorkerSettings {
  id: string;
  name: string | undefined;
  capabilities: string[];
  queues: string[] | undefined;
  exec: string | undefined;
  concurrency: number;
  prefetch: number;
  once: boolean;
  graceSeconds: number;
  simulateSeconds: number | null;
  leaseSeconds: number | undefined;
  envAllow: string[] | undefined;
  envDeny: string[] | undefined;
  replace: boolean;
  /** `--bid CMD`: the hook asked how well placed the worker is for a task being auctioned. */
  bid: string | undefined;
  /** null: none (`--no-breaker`); undefined: as registered, or the store's default. */
  breaker: BreakerConfig | null | undefined;
}

function workerSettings(idArg: string | undefined, nameArg: string | undefined, capsArg: string | undefined, o: Opts) {
  const caps = (o.capabilities as string | undefined) ?? capsArg;
  const settings: WorkerSettings = {
    id: idArg ?? defaultWorkerId(),
    name: (o.name as string | undefined) ?? nameArg,
    capabilities: caps !== undefined ? parseList(caps, 'capabilities') : [],
    queues: o.queues !== undefined ? parseList(String(o.queues), 'queues') : undefined,
    exec: o.exec as string | undefined,
    concurrency: parsePositiveInt(String(o.concurrency), 'concurrency', LIMITS.concurrency),
    prefetch: parseNonNegativeInt(String(o.prefetch), 'prefetch', LIMITS.concurrency),
    once: o.once === true,
    graceSeconds: nonNegativeSeconds(String(o.grace), 'grace'),
    simulateSeconds:
      o.simulate === undefined ? null : o.simulate === true ? 5 : nonNegativeSeconds(String(o.simulate), 'simulate'),
    leaseSeconds: o.lease !== undefined ? parseSeconds(String(o.lease), 'lease') : undefined,
    envAllow: envNames(o.envAllow, 'env-allow'),
    envDeny: envNames(o.envDeny, 'env-deny'),
    replace: o.replace === true,
    bid: o.bid as string | undefined,
    breaker: breakerOption(o.breaker),
  };
  if (settings.exec !== undefined && settings.simulateSeconds !== null) {
    throw new BatonError('usage', 'worker: give --exec or --simulate, not both');
  }
  return settings;
}

function breakerOption(raw: unknown): BreakerConfig | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === false) return null;
  return parseBreakerSpec(raw === true ? '' : String(raw));
}

function envNames(raw: unknown, field: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = String(raw)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = names.find((n) => !ENV_NAME_PATTERN.test(n));
  if (bad !== undefined) throw invalid(field, `"${bad}" is not a variable name (letters, digits, _ and * only)`);
  return names;
}

function nonNegativeSeconds(raw: string, field: string): number {
  if (/^0+(\.0+)?$/.test(raw.trim())) return 0;
  return parseSeconds(raw, field);
}

function defaultWorkerId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 60) || 'host';
  return `${host}-${process.pid}`;
}

async function logDirOf(o: GlobalOptions): Promise<string> {
  const { locateStore } = await import('../../app/open.js');
  return join(locateStore({ db: o.db }).dir, 'logs');
}

/** Lines of an attempt's log the server sends at most: all of any log a worker could send it. */
const SERVER_LOG_LINES = 10_000;

/** `baton logs ID --server …`: the output the server keeps (remote workers send it there). */
async function serverLogs(baton: Baton, out: Output, taskId: number, attempt: number | undefined, follow: boolean) {
  if (follow) throw new BatonError('usage', 'logs: --follow reads the logs of this machine; leave out --server, or --follow');
  const log = await baton.attemptLog(taskId, { attempt, tail: SERVER_LOG_LINES });
  if (out.json) {
    out.result({ taskId, logs: [{ attempt: log.attempt, path: log.path, text: log.text }] }, () => '');
    return;
  }
  process.stdout.write(log.text.endsWith('\n') || log.text === '' ? log.text : `${log.text}\n`);
}

async function runWorker(baton: Baton, s: WorkerSettings, o: Opts): Promise<void> {
  const [{ WorkerLoop }, { lineView, liveView }, executors] = await Promise.all([
    import('../../worker/worker-loop.js'),
    import('../../worker/view.js'),
    import('../../worker/executors.js'),
  ]);
  // A worker of a remote server keeps no files where it runs: its output goes to the server.
  const logTo = serverOf(o) ? { uploadTo: baton } : { logDir: await logDirOf(o) };
  const executor: Executor =
    s.simulateSeconds !== null
      ? executors.simulateExecutor({ seconds: s.simulateSeconds })
      : executors.commandExecutor({ ...logTo, cwd: process.cwd(), exec: s.exec, ...(await envOf(baton, s)) });
  const view = o.json || !process.stdout.isTTY ? lineView(Boolean(o.json)) : await liveView(s.id);
  // With --once, how the one attempt ended: anything but completed exits non-zero.
  let finished: string | null = null;
  const loop = new WorkerLoop(baton, {
    id: s.id,
    name: s.name,
    capabilities: s.capabilities,
    queues: s.queues,
    concurrency: s.concurrency,
    prefetch: s.prefetch,
    leaseSeconds: s.leaseSeconds,
    once: s.once,
    // Run with each task's own command, a worker can do only the tasks that have one.
    withCommand: s.exec === undefined && s.simulateSeconds === null,
    executor,
    host: hostname(),
    pid: process.pid,
    version: packageVersion(),
    replace: s.replace,
    breaker: s.breaker,
    onEvent: (e) => {
      view.onEvent(e);
      if (e.type === 'completed') finished = 'completed';
      else if (e.type === 'failed' || e.type === 'released' || e.type === 'lost' || e.type === 'paused') finished = e.type;
    },
  });
  // First signal: stop claiming and give running tasks the grace period; second: release now.
  const onSignal = () => loop.stop(s.graceSeconds);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bidding = s.bid !== undefined ? await startBidder(baton, s) : null;
  try {
    await loop.run();
  } finally {
    await bidding?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view.close();
  }
  if (s.once && finished !== null && finished !== 'completed') throw new ExitSignal(1);
}

/** `--bid CMD`: bids in auctions beside the loop, with the environment its commands get. */
async function startBidder(baton: Baton, s: WorkerSettings): Promise<{ stop(): Promise<void> }> {
  const [{ Bidder }, { commandEnv }, { systemClock }] = await Promise.all([
    import('../../worker/bidder.js'),
    import('../../worker/command-env.js'),
    import('../../core/clock.js'),
  ]);
  const { envRules, secrets } = await envOf(baton, s);
  const bidder = new Bidder(baton, {
    workerId: s.id,
    capabilities: s.capabilities,
    queues: s.queues,
    command: s.bid as string,
    cwd: process.cwd(),
    env: commandEnv(process.env, envRules, secrets),
    clock: systemClock,
  });
  const stopped = new AbortController();
  const running = bidder.run(stopped.signal);
  return {
    stop: async () => {
      stopped.abort();
      await running;
    },
  };
}

/** The flags, else the config of the store (of the server, for a remote worker) in force. */
async function envOf(baton: Baton, s: WorkerSettings) {
  const { policy } = await baton.describe();
  // A server older than these settings describes none: the defaults hold.
  const configured = policy.commandEnv ?? DEFAULT_POLICY.commandEnv;
  const secrets = [...BATON_SECRETS, policy.breakdown?.http?.apiKeyEnv ?? DEFAULT_POLICY.breakdown.http.apiKeyEnv];
  return { envRules: { allow: s.envAllow ?? configured.allow, deny: s.envDeny ?? configured.deny }, secrets };
}

function packageVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

/** `tail -f` over attempts: prints what the current attempt appends, and later attempts too. */
async function follow(baton: Baton, logDir: string, taskId: number, start: { attempt: number; path: string } | undefined) {
  const { attemptLogs } = await import('../../app/attempt-logs.js');
  let current = start;
  let offset = current ? statSync(current.path).size : 0;
  for (;;) {
    if (current) offset = printFrom(current.path, offset);
    const newer = attemptLogs(logDir, taskId).find((l) => l.attempt > (current?.attempt ?? 0));
    if (newer) {
      current = newer;
      offset = 0;
      process.stdout.write(`==> ${newer.path} <==\n`);
      continue;
    }
    const task = await baton.getTask(taskId);
    if (isFinal(task.status) || task.status === 'reviewing') {
      if (current) printFrom(current.path, offset);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function printFrom(path: string, offset: number): number {
  const size = statSync(path).size;
  if (size <= offset) return offset;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    process.stdout.write(buf);
  } finally {
    closeSync(fd);
  }
  return size;
}

/** The newest attempt's log of a task with its last lines, for `baton show`; null when none is kept. */
export async function latestAttemptLog(o: GlobalOptions, taskId: number, baton?: Baton) {
  const { latestLog } = await import('../../app/attempt-logs.js');
  try {
    if (serverOf(o) && baton) {
      const { attempt, path, text } = await baton.attemptLog(taskId, { tail: 10 });
      return { attempt, path, tail: text.replace(/\n$/, '') };
    }
    return latestLog(await logDirOf(o), taskId, 10);
  } catch {
    return null;
  }
}

export function formatLogTail(log: { attempt: number; path: string; tail: string }): string {
  const lines = log.tail ? log.tail.split('\n').map((l) => `  ${l}`) : [];
  return ['', '', `Output of attempt ${log.attempt} (${log.path}; all of it: baton logs ID)`, ...lines].join('\n');
}
