import { spawn } from 'node:child_process';
import type { AttemptLogWriter } from './logs.js';
import { orphanGuard } from './orphan-guard.js';
import { LineSplitter, parseProtocolLine } from './protocol.js';

export interface RunProcessOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the process's stdin, which is then closed; without it stdin is empty. */
  stdin?: string | undefined;
  /** Full output (stdout and stderr) of the attempt goes here. */
  log: AttemptLogWriter;
  /** First lines of the log: what ran, where, for whom. */
  header: string;
  signal: AbortSignal;
  /** Between SIGTERM and SIGKILL of the process group, in ms. */
  killGraceMs: number;
  onProgress(percent: number, step: string | null): void;
}

export interface RunProcessResult {
  exitCode: number | null;
  /** Signal that ended the shell, if any. */
  signal: string | null;
  /** From the last `::result` line. */
  result: unknown;
  /** Why a `::result` line was refused, if one was. */
  resultError: string | null;
  stderrTail: string;
  ms: number;
}

const TAIL_CHARS = 4000;

/**
 * Runs `command` in a shell as the leader of its own process group, so that a timeout or a stop
 * can kill everything it started — children that ignore SIGTERM included (SIGTERM first, SIGKILL
 * after `killGraceMs`) — and so can the orphan guard if the worker dies first (orphan-guard.ts).
 * Resolves when the process and everything holding its output are gone.
 *
 * Its times stay on the machine's clock rather than an injected `Clock`: they measure and bound a
 * real OS process (its wall time, the SIGTERM→SIGKILL grace), which no test clock can speed up.
 * The task's timeout, which decides the attempt, is the worker loop's and does follow its clock.
 */
export function runProcess(o: RunProcessOptions): Promise<RunProcessResult> {
  const { log } = o;
  log.write(o.header);
  const started = Date.now();
  orphanGuard.prepare();
  const child = spawn('/bin/sh', ['-c', o.command], {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // The shell leads its own group (`detached`), so nothing ends it with the worker unless the guard does.
  if (child.pid !== undefined) orphanGuard.watch(child.pid, o.killGraceMs);
  const state = { result: undefined as unknown, resultError: null as string | null, stderr: '' };
  const lines = new LineSplitter();
  const onLine = (line: string) => {
    const msg = parseProtocolLine(line);
    if (msg?.kind === 'progress') o.onProgress(msg.percent, msg.step);
    else if (msg?.kind === 'result') state.result = msg.value;
    else if (msg?.kind === 'invalid') {
      log.write(`# baton: ${msg.message}\n`);
      if (line.startsWith('::result')) state.resultError = msg.message;
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    log.write(chunk);
    lines.push(chunk, onLine);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    log.write(chunk);
    state.stderr = (state.stderr + chunk).slice(-TAIL_CHARS);
  });
  // A command that does not read its stdin must not fail the attempt with EPIPE.
  child.stdin.on('error', () => undefined);
  child.stdin.end(o.stdin ?? '');

  const killer = groupKiller(child.pid, o.killGraceMs);
  const onAbort = () => {
    log.write(`# baton: stopping (${String(o.signal.reason)}): SIGTERM to the process group\n`);
    killer.kill();
  };
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });

  return new Promise((resolve) => {
    let exit: { code: number | null; signal: string | null } | null = null;
    let lingering: NodeJS.Timeout | null = null;
    child.on('error', (err) => {
      state.stderr += `\n${err.message}`;
      exit ??= { code: 127, signal: null };
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Background children still holding the output open would keep the attempt alive forever.
      lingering = setTimeout(() => killer.kill(), 1000);
    });
    child.on('close', (code, signal) => {
      o.signal.removeEventListener('abort', onAbort);
      if (lingering) clearTimeout(lingering);
      killer.finished();
      if (child.pid !== undefined) orphanGuard.forget(child.pid);
      lines.end(onLine);
      const ended = exit ?? { code, signal };
      const ms = Date.now() - started;
      void log.end(`\n# baton: exit ${ended.code ?? ended.signal} after ${(ms / 1000).toFixed(2)}s\n`).then(() =>
        resolve({
          exitCode: ended.code,
          signal: ended.signal,
          result: state.result,
          resultError: state.resultError,
          stderrTail: state.stderr,
          ms,
        }),
      );
    });
  });
}

/** SIGTERM to a whole process group, then SIGKILL to whatever is left after the grace period. */
function groupKiller(pid: number | undefined, graceMs: number) {
  let timer: NodeJS.Timeout | null = null;
  const signalGroup = (sig: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  return {
    kill() {
      if (timer) return;
      signalGroup('SIGTERM');
      timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    },
    finished() {
      // Members that outlived the shell and closed their output would linger as orphans.
      signalGroup('SIGKILL');
      if (timer) clearTimeout(timer);
    },
  };
}
