import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { TaskEvent } from '../../src/core/types.js';
import { BIN } from '../cli/run-cli.js';
import { childEnv, sealedFolder } from '../helpers/sealed.js';
import { PrivateCluster } from './private-cluster.js';

/**
 * `baton serve` and four workers (two through the server, two on the database) drain a queue
 * while PostgreSQL is restarted again and again, as an operator upgrading it would. Runs the
 * built binary: `npm run build` first.
 */

const TASKS = 2_000;
/** Seconds the database stays down at each restart, and seconds of work between restarts. */
const OUTAGES = [3, 4, 1, 2, 3];
const BETWEEN = 2;

interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | string>;
}

const cluster = new PrivateCluster();
// Its own .baton/ (logs, config): the processes never look above it.
const dir = sealedFolder('baton-drain');
const procs: Proc[] = [];
let baton: LocalBaton;

beforeAll(async () => {
  await cluster.start();
  baton = await openBaton({ db: cluster.url('drain'), actor: 'test', cwd: dir });
}, 120_000);

afterAll(async () => {
  // Whatever happened, nothing outlives the test: each process group, then the cluster.
  for (const p of procs) kill(p, 'SIGKILL');
  await baton?.close().catch(() => {});
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function start(name: string, args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, detached: true, env: childEnv() });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const proc = { name, child, output: () => out, exited };
  procs.push(proc);
  return proc;
}

function kill(p: Proc, signal: NodeJS.Signals): void {
  try {
    if (p.child.exitCode === null && p.child.pid) process.kill(-p.child.pid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => false as const);
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function serverUrl(server: Proc): Promise<string> {
  return waitFor('the server to listen', async () => server.output().match(/serving (http:\/\/\S+)/)?.[1] ?? false, 30_000);
}

async function allEvents(): Promise<TaskEvent[]> {
  const events: TaskEvent[] = [];
  for (;;) {
    const page = await baton.events({ afterId: events.at(-1)?.id ?? 0, limit: 5_000 });
    events.push(...page);
    if (page.length < 5_000) return events;
  }
}

describe('PostgreSQL restarted five times while a crew drains the queue', () => {
  it('every task completes once; only attempts whose lease ran out ran again; every process lives and stops on SIGTERM', async () => {
    // The evidence of a failure is in what the processes said.
    onTestFailed(() => {
      for (const p of procs)
        console.error(`--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode}):\n${p.output().slice(-4000)}`);
    });
    for (let i = 0; i < TASKS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, TASKS - i) }, (_, k) => baton.createTask({ title: `job ${i + k}` })));
    }
    const db = cluster.url('drain');
    const server = start('server', ['serve', '--db', db, '--port', '0']);
    const url = await serverUrl(server);
    const work = ['--concurrency', '8', '--simulate', '0.3', '--lease', '30', '--grace', '30'];
    const workers = [
      start('remote-1', ['worker', 'remote-1', '--server', url, ...work]),
      start('remote-2', ['worker', 'remote-2', '--server', url, ...work]),
      start('direct-1', ['worker', 'direct-1', '--db', db, ...work]),
      start('direct-2', ['worker', 'direct-2', '--db', db, ...work]),
    ];
    for (const w of workers) await waitFor(`${w.name} to work`, async () => w.output().includes('completed #'), 30_000);
    const inStatus = async (status: 'completed' | 'executing') => (await baton.listTasks({ status: [status], limit: 1 })).total;
    const completed = () => inStatus('completed');

    // The restarts, each while the crew is busy; the test's own store waits them out too.
    const recoveries: number[] = [];
    for (const seconds of OUTAGES) {
      await sleep(BETWEEN * 1000);
      const before = await completed();
      expect(before).toBeLessThan(TASKS);
      await cluster.stop();
      // While the database is down the server says so at once.
      const health = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(1_000) });
      expect([health.status, ((await health.json()) as { error?: { code?: string } }).error?.code]).toEqual([
        503,
        'store_unavailable',
      ]);
      await sleep(seconds * 1000);
      await cluster.resume();
      const back = Date.now();
      await waitFor('work to go on', async () => (await completed()) > before + 10, 20_000);
      recoveries.push(Date.now() - back);
    }
    await waitFor('the queue to drain', async () => (await completed()) === TASKS, 60_000);

    // Every process is alive: none crashed, none wedged (they all kept completing).
    for (const p of procs) expect(p.output()).not.toContain('TypeError');
    expect(procs.map((p) => [p.name, p.child.exitCode])).toEqual(procs.map((p) => [p.name, null]));
    // Each restart was ridden out within seconds of the database coming back.
    expect(Math.max(...recoveries)).toBeLessThan(10_000);

    const events = await allEvents();
    const byTask = new Map<number, string[]>();
    for (const e of events) if (e.taskId !== null) byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e.type]);
    const count = (types: string[], type: string) => types.filter((t) => t === type).length;
    let reruns = 0;
    for (const [id, types] of byTask) {
      // A task runs again only when its lease ran out (or a stopping worker handed it back).
      const expectedClaims = 1 + count(types, 'lease_expired') + count(types, 'released');
      expect([id, count(types, 'claimed')]).toEqual([id, expectedClaims]);
      expect([id, count(types, 'completed')]).toEqual([id, 1]);
      reruns += expectedClaims - 1;
    }
    expect(byTask.size).toBe(TASKS);
    console.log(`restart recoveries (ms): ${recoveries.join(', ')}; tasks run more than once: ${reruns}`);

    // SIGTERM works while the database is down: workers holding tasks and the server all leave.
    const held = await Promise.all(Array.from({ length: 8 }, (_, i) => baton.createTask({ title: `held ${i}` })));
    await waitFor('the crew to hold them', async () => (await inStatus('executing')) > 0 && held.length, 20_000);
    await cluster.stop();
    const stopping = Date.now();
    for (const w of workers) kill(w, 'SIGTERM');
    await sleep(200);
    for (const w of workers) kill(w, 'SIGTERM');
    kill(server, 'SIGTERM');
    const ends = await Promise.all(procs.map(async (p) => [p.name, await p.exited]));
    expect(Date.now() - stopping).toBeLessThan(15_000);
    // Workers end cleanly, or by the second signal once they were on their way out already.
    for (const [name, end] of ends) expect([name, end === 0 || end === 'SIGTERM']).toEqual([name, true]);
    await cluster.resume();
  }, 180_000);
});
