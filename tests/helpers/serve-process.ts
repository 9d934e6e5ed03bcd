import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from '../cli/run-cli.js';
import type { TestStore } from './stores.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;
/** A loaded machine takes seconds to load the server; the first answer beyond this is a hang. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** A real `baton serve` process over one store. */
export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Stops it as a user would (SIGTERM), killing it if it does not go. */
  stop(): Promise<void>;
}

/** Environment of a child: none of the caller's BATON_* settings, so `--db` alone names its store. */
export function sealedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BATON_')) env[k] = v;
  return env;
}

/** Starts `baton serve --db <store> --port 0` in the store's folder and waits until it listens. */
export function startServe(store: TestStore): Promise<ServeProcess> {
  // Commands are allowed: the contract is about what Baton does with them, the same through every
  // door; who may set them is the server's own policy, tested in tests/server/commands.test.ts.
  const child = spawn(process.execPath, [BIN, 'serve', '--db', store.db, '--port', '0', '--allow-commands'], {
    cwd: store.cwd,
    env: sealedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton serve did not start within ${START_TIMEOUT_MS} ms: ${out}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const match = SERVING.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1] as string,
        pid: child.pid as number,
        output: () => out,
        stop: () => stop(child, exited),
      });
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`baton serve exited (${code ?? signal}) before it listened: ${out}`));
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
