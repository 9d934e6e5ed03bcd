import { spawn } from 'node:child_process';
import { PlannerError } from './output.js';

export interface CommandPlannerOptions {
  command: string;
  /** Written to the command's stdin as JSON. */
  payload: unknown;
  timeoutMs: number;
  maxBytes: number;
  cwd?: string | undefined;
}

/**
 * Runs the `command` planner: a shell command (an agent CLI, a script) that reads the task as
 * JSON on stdin and prints its plan on stdout. It is killed — with anything it started — when it
 * runs past the timeout or prints more than the size limit.
 */
export function runCommandPlanner(options: CommandPlannerOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, {
      shell: true,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout also ends what the shell started.
      detached: process.platform !== 'win32',
    });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: PlannerError | null = null;
    const stop = (reason: string) => {
      if (failure) return;
      failure = new PlannerError(reason);
      kill(child.pid);
      // Do not wait for 'close': a process that left the group could hold the pipes open.
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      reject(failure);
    };
    const timer = setTimeout(() => stop(`command timed out after ${options.timeoutMs / 1000}s`), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) stop(`command output exceeded ${options.maxBytes} bytes`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.on('error', (err) => stop(`command could not start (${err.message})`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return;
      if (code !== 0) {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderr.trim().split('\n').slice(-1)[0];
        return reject(new PlannerError(`command ${why}${tail ? `: ${tail}` : ''}`));
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
    // A command that does not read its stdin must not fail the plan with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(options.payload)}\n`);
  });
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
