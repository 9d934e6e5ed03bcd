import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';

/** Starts `baton …` in the background and resolves once it printed a line matching `ready`. */
export function startBaton(
  cwd: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  /** Another program to start instead of the binary (a wrapper script), with its arguments. */
  argv?: string[],
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const [file, ...rest] = argv ?? [process.execPath, BIN, ...args];
  const child = spawn(file as string, rest, { cwd, env: childEnv(env) });
  let out = '';
  return new Promise((resolve, reject) => {
    // Within the hook and test timeouts (60 s), so the reason is this message, not a timeout.
    const timer = setTimeout(() => reject(new Error(`baton ${args.join(' ')} did not start: ${out}`)), 50_000);
    const onData = (d: Buffer) => {
      out += d;
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`baton ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
