import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Baton } from '../app/baton.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Task } from '../core/types.js';
import { commandEnv, type EnvRules } from './command-env.js';
import { type AttemptLogWriter, attemptLogPath, fileLog, uploadedLog } from './logs.js';
import { runProcess } from './process-runner.js';
import type { AttemptContext, AttemptOutcome, Executor } from './types.js';

export interface CommandExecutorOptions {
  /** Where `<task>-<attempt>.log` files go. */
  logDir?: string | undefined;
  /**
   * Instead of `logDir`: each attempt's output is sent through this Baton to the server that keeps
   * the store (a remote worker writes no files where it runs).
   */
  uploadTo?: Baton | undefined;
  /** Commands run here (the worker's folder). */
  cwd: string;
  /**
   * `--exec CMD`: run this for every task, handing the task over on stdin (JSON), in the file
   * named by BATON_TASK_FILE and in BATON_TASK_* variables. Without it, the task's own `command`.
   */
  exec?: string | undefined;
  /** Between SIGTERM and SIGKILL of a stopped attempt, in ms. */
  killGraceMs?: number | undefined;
  /** The worker's environment (default: `process.env`), of which commands see what `envRules` let through. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default: every variable but Baton's own secrets. */
  envRules?: EnvRules | undefined;
  /** Variables a command sees only when `envRules.allow` names them (default: `BATON_SECRETS`). */
  secrets?: readonly string[] | undefined;
}

const STDERR_LINES = 20;

/** Runs each attempt as a shell command in its own process group (see process-runner.ts). */
export function commandExecutor(options: CommandExecutorOptions): Executor {
  return async (ctx) => {
    const { task } = ctx;
    const command = options.exec ?? task.command;
    if (!command) {
      return {
        ok: false,
        error: `task #${task.id} has no command; run a worker with --exec CMD (or a JS handler) for tasks without one`,
      };
    }
    const taskJson = JSON.stringify(task);
    const tmp = options.exec ? mkdtempSync(join(tmpdir(), 'baton-task-')) : null;
    const taskFile = tmp ? join(tmp, `task-${task.id}.json`) : null;
    if (taskFile) writeFileSync(taskFile, taskJson);
    try {
      const run = await runProcess({
        command,
        cwd: options.cwd,
        env: {
          ...commandEnv(options.env ?? process.env, options.envRules, options.secrets),
          ...taskEnv(task, ctx.workerId, taskFile),
        },
        stdin: options.exec ? taskJson : undefined,
        log: attemptLog(options, task, ctx.workerId),
        header: header(task, ctx.workerId, command),
        signal: ctx.signal,
        killGraceMs: options.killGraceMs ?? 2000,
        onProgress: (percent, step) => ctx.progress(percent, step ?? undefined),
      });
      return outcomeOf(run);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  };
}

function attemptLog(options: CommandExecutorOptions, task: Task, workerId: string): AttemptLogWriter {
  const { id: taskId, attempts: attempt } = task;
  if (options.uploadTo) return uploadedLog(options.uploadTo, { taskId, attempt, workerId, token: task.lease?.token ?? 0 });
  if (options.logDir === undefined) throw new Error('commandExecutor: give logDir or uploadTo');
  return fileLog(attemptLogPath(options.logDir, taskId, attempt));
}

function taskEnv(task: Task, workerId: string, taskFile: string | null): Record<string, string> {
  return {
    BATON_TASK_ID: String(task.id),
    BATON_TASK_TITLE: task.title,
    BATON_TASK_COMMAND: task.command ?? '',
    BATON_WORKER_ID: workerId,
    BATON_LEASE_TOKEN: String(task.lease?.token ?? ''),
    BATON_TASK_ATTEMPT: String(task.attempts),
    ...(taskFile && { BATON_TASK_FILE: taskFile }),
    ...inputEnv(task),
  };
}

/** Beyond this, an input is left out of the environment (one variable may hold 128 KiB on Linux). */
const INPUT_ENV_MAX = 64 * 1024;

/** A task's own command reads its input here (a pipeline step: the previous step's result). */
function inputEnv(task: Task): Record<string, string> {
  if (task.input === null || task.input === undefined) return {};
  const json = JSON.stringify(task.input);
  return json.length <= INPUT_ENV_MAX ? { BATON_TASK_INPUT: json } : {};
}

function header(task: Task, workerId: string, command: string): string {
  const at = new Date().toISOString();
  return `# baton: task #${task.id} attempt ${task.attempts} by ${workerId} at ${at}\n# baton: $ ${command}\n`;
}

function outcomeOf(run: Awaited<ReturnType<typeof runProcess>>): AttemptOutcome {
  if (run.exitCode === 0 && !run.signal) {
    if (run.resultError) return { ok: false, error: run.resultError };
    return run.result === undefined ? { ok: true } : { ok: true, result: run.result };
  }
  const how = run.signal ? `killed by ${run.signal}` : `exit code ${run.exitCode}`;
  const tail = run.stderrTail.trimEnd().split('\n').slice(-STDERR_LINES).join('\n').trim();
  return { ok: false, error: tail ? `${how}: ${tail}` : how };
}

export interface SimulateOptions {
  /** Length of one simulated run, in seconds. */
  seconds?: number | undefined;
  steps?: readonly string[] | undefined;
  /** Paces the steps (default: the system clock). */
  clock?: Clock | undefined;
}

const SIMULATED_STEPS = ['Reading the task', 'Planning', 'Doing the work', 'Checking the result', 'Wrapping up'];

/** Demo only: advances progress over time and completes, labelled as simulated in the history. */
export function simulateExecutor(options: SimulateOptions = {}): Executor {
  const steps = options.steps ?? SIMULATED_STEPS;
  const clock = options.clock ?? systemClock;
  return async (ctx: AttemptContext) => {
    await ctx.note('simulated run (baton worker --simulate): no real work was done');
    const stepMs = ((options.seconds ?? 5) * 1000) / steps.length;
    for (const [i, step] of steps.entries()) {
      ctx.progress(Math.round((i / steps.length) * 100), step);
      await clock.sleep(stepMs, ctx.signal);
      if (ctx.signal.aborted) return { ok: false, error: 'simulated run stopped' };
    }
    return { ok: true, result: { simulated: true } };
  };
}
