import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childEnv } from '../helpers/sealed.js';

/** The real built binary, as users run it. */
export const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `baton …` in `cwd` and waits for it; `env` adds to the test's own, stripped of BATON_*. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: childEnv(env),
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Same, without blocking the test's event loop (for several at once). */
export function cliAsync(cwd: string, args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

export function json<T = unknown>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`baton exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A fresh temp folder with a store of its own (`init` makes it here, whatever a parent holds). */
export function freshProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  const r = cli(dir, ['init']);
  if (r.code !== 0) throw new Error(r.stderr);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
