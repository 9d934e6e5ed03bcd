import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PoolSpec } from './fleet-file.js';

/** Where a member finds the store: the supervisor's own store, server and key, passed by environment. */
export interface MemberTarget {
  db?: string | undefined;
  server?: string | undefined;
  apiKey?: string | undefined;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The arguments of `baton worker` for one member of `pool`. */
export function memberArgs(pool: PoolSpec, workerId: string): string[] {
  const args = ['worker', workerId, '--capabilities', pool.capabilities.join(','), '--concurrency', String(pool.concurrency)];
  // A member started again after a crash takes its id over from the dead process at once.
  args.push('--replace', '--grace', String(Math.ceil(pool.graceMs / 1000)));
  if (pool.queues.length > 0) args.push('--queues', pool.queues.join(','));
  if (pool.exec !== undefined) args.push('--exec', pool.exec);
  if (pool.breakerSpec !== null) args.push(pool.breakerSpec === '' ? '--breaker' : `--breaker=${pool.breakerSpec}`);
  if (pool.leaseMs !== undefined) args.push('--lease', String(Math.max(1, Math.round(pool.leaseMs / 1000))));
  return args;
}

/**
 * Starts members as `node …/cli/main.js worker …`. Their output lines go to `onLine` prefixed
 * with the member id (a supervisor prints them, or not).
 */
export function memberSpawner(target: MemberTarget, onLine?: (line: string) => void) {
  return (pool: PoolSpec, workerId: string): ChildProcess => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (target.db !== undefined) env.BATON_DB = target.db;
    if (target.server !== undefined) env.BATON_SERVER = target.server;
    if (target.apiKey !== undefined) env.BATON_TOKEN = target.apiKey;
    const child = spawn(process.execPath, [CLI, ...memberArgs(pool, workerId)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        if (!onLine) return;
        for (const line of chunk.split('\n')) if (line.trim() !== '') onLine(`[${workerId}] ${line}`);
      });
    }
    return child;
  };
}
