import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { BIN, freshProject } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';

export { cli, freshProject, json } from '../cli/run-cli.js';

/** A `baton worker …` process, as a user starts it in a terminal (not a TTY here: log lines). */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function startWorker(dir: string, args: string[], env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { cwd: dir, env: { ...childEnv(), ...env } });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** A project for one test, and the worker processes the test started in it. */
export interface WorkerProject {
  /** This test's project folder. */
  readonly dir: string;
  /** Starts `baton worker …` in the project, as `startWorker`; killed after the test. */
  start(args: string[], env?: Record<string, string>): WorkerProcess;
}

/**
 * A fresh project for each test of the enclosing `describe`, and nothing the test started left
 * running after it, even when it fails: its worker processes are killed, and so is the process
 * group of every command whose shell wrote its pid to a `*.pid` file in the project (`pidIn`).
 */
export function useWorkerProject(): WorkerProject {
  let project: ReturnType<typeof freshProject> | undefined;
  let workers: WorkerProcess[] = [];
  beforeEach(() => {
    project = freshProject();
    workers = [];
  });
  afterEach(() => {
    for (const w of workers) w.child.kill('SIGKILL');
    if (!project) return;
    for (const file of readdirSync(project.dir).filter((f) => f.endsWith('.pid'))) {
      try {
        process.kill(-pidIn(project.dir, file), 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    project.cleanup();
  });
  return {
    get dir() {
      if (!project) throw new Error('the project is made in beforeEach');
      return project.dir;
    },
    start(args, env) {
      const worker = startWorker(this.dir, args, env);
      workers.push(worker);
      return worker;
    },
  };
}

/**
 * The pid a command's shell wrote to `file` in `dir` (`echo $$ > file`), which is also the id of
 * its process group: a worker starts each command as the leader of a group of its own.
 */
export function pidIn(dir: string, file: string): number {
  return Number(readFileSync(join(dir, file), 'utf8'));
}

/** The store of a test project, opened in this process to set up and inspect. */
export function storeOf(dir: string): Promise<LocalBaton> {
  return openBaton({ db: join(dir, '.baton', 'baton.db'), actor: 'test' });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether a process runs; a zombie (dead, waiting for an orphan-reaping parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Whether the file exists and contains `text` (for waiting on output that is still being written). */
export function fileIncludes(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(text);
  } catch {
    return false;
  }
}

/** Processes of a process group that still run (zombies left out, as in `isAlive`). Linux /proc only. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return members;
}

/** Running processes whose command line contains all of `parts` (for finding a helper process by its arguments). */
export function processesWith(...parts: string[]): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (parts.every((p) => args.includes(p)) && isAlive(Number(name))) found.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}
