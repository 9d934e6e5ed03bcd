// Latencies of behaviour the test suite checks by order and cause only (an idle claimer wakes up,
// a failed task is retried after its backoff, a command past its timeout is killed, a stopped
// worker hands its task on): how fast each happens depends on the machine and its load, so the
// numbers are measured here, against the bounds they are expected to keep.
//   a. PostgreSQL: an idle claimer's wake-up for a task made through another store (LISTEN),
//      a delayed task's pickup once due, and the polling fallback behind a transaction pooler;
//   b. HTTP: a long-polling claim answered when a task arrives;
//   c. workers: failure → retry claim, a SIGTERM-proof command past its timeout, a worker stopped
//      with SIGTERM handing its task to another, an MCP agent's release on disconnect;
//   d. breakdown planners past their timeout; two SQLite handles in one process.
// Settings: BATON_BENCH_PG (or BATON_TEST_PG), BENCH_RUNS, BENCH_WAKEUPS.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, DIST, median, percentile } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WAKEUPS = Number(process.env.BENCH_WAKEUPS ?? 50);
const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = fileURLToPath(new URL('cli/main.js', DIST));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const { openBaton } = await import(new URL('app/open.js', DIST));

/** A temp folder with a store of its own in `.baton/` (and so a config of its own). */
async function project(config) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-latency-'));
  mkdirSync(join(dir, '.baton'));
  if (config) writeFileSync(join(dir, '.baton', 'config.yaml'), config.replaceAll('$DIR', dir));
  const db = join(dir, '.baton', 'baton.db');
  const baton = await openBaton({ db, create: true, actor: 'bench' });
  const cleanup = async () => {
    await baton.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, db, baton, cleanup };
}

async function until(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`benchmark timed out waiting for ${what}`);
    await sleep(5);
  }
}

function startCli(dir, args) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: childEnv(), stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

// ── a. PostgreSQL ────────────────────────────────────────────────────────────

async function withPgPair(extra, fn) {
  const { randomBytes } = await import('node:crypto');
  const { default: postgres } = await import('postgres');
  const schema = `bench_latency_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const cwd = mkdtempSync(join(tmpdir(), 'baton-bench-pg-'));
  mkdirSync(join(cwd, '.baton'));
  // Two stores (pools, LISTEN connections), as in two processes: the wake-up must come through
  // PostgreSQL, not through memory.
  const producer = await openBaton({ db: `${url.href}${extra}`, cwd, actor: 'producer' });
  const worker = await openBaton({ db: `${url.href}${extra}`, cwd, actor: 'worker' });
  try {
    return await fn(producer, worker);
  } finally {
    await producer.close();
    await worker.close();
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 5 });
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** From a task's creation to the return of the claim an idle worker was waiting in. */
async function pgWakeups(extra, samples) {
  return withPgPair(extra, async (producer, worker) => {
    const latencies = [];
    for (let i = 0; i < samples; i++) {
      const claiming = worker.claim({ workerId: 'idle', waitSeconds: 20 });
      // Let the claimer find nothing and go idle before the task appears.
      await sleep(60);
      const created = await producer.createTask({ title: `wake ${i}` });
      const createdAt = performance.now();
      const task = await claiming;
      latencies.push(performance.now() - createdAt);
      if (task?.id !== created.id) throw new Error(`claimed ${task?.id}, expected ${created.id}`);
      await worker.complete(created.id, { workerId: 'idle' });
    }
    return latencies;
  });
}

/** How long after its due time a delayed task reaches the claimer that waits for it (no notification). */
async function pgDelayedLateness(samples) {
  return withPgPair('', async (producer, worker) => {
    const lateness = [];
    for (let i = 0; i < samples; i++) {
      const due = (await producer.store.now()) + 400;
      const created = await producer.createTask({ title: `later ${i}`, runAfter: new Date(due).toISOString() });
      const task = await worker.claim({ workerId: 'idle', waitSeconds: 20 });
      lateness.push((await worker.store.now()) - due);
      if (task?.id !== created.id) throw new Error(`claimed ${task?.id}, expected ${created.id}`);
      await worker.complete(created.id, { workerId: 'idle' });
    }
    return lateness;
  });
}

// ── b. HTTP ──────────────────────────────────────────────────────────────────

/** A claim long-polling for 5 s, the task added 300 ms in: when the answer came, from the claim's start. */
async function httpLongPoll(samples) {
  const { buildServer } = await import(new URL('server/app.js', DIST));
  const p = await project();
  const server = await buildServer({ baton: p.baton, rateLimit: false });
  await server.start();
  const post = (url, body) => server.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: body });
  const answered = [];
  try {
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const waiting = post('/claims', { workerId: 'poller', wait: 5 });
      await sleep(300);
      const created = (await post('/tasks', { title: `arrives ${i}` })).json();
      const res = await waiting;
      answered.push(performance.now() - started);
      if (res.json().task?.id !== created.id) throw new Error(`long-poll answered ${res.body}`);
      await post(`/tasks/${created.id}/complete`, { workerId: 'poller' });
    }
  } finally {
    await server.close();
    await p.cleanup();
  }
  return answered;
}

// ── c. workers ───────────────────────────────────────────────────────────────

/** A command that always fails, fixed retry delay 0.4 s: the longest gap from a failure to the next claim. */
async function retryGap() {
  const p = await project();
  const task = await p.baton.createTask({
    title: 'flaky',
    command: 'exit 1',
    maxRetries: 2,
    retryPolicy: { policy: 'fixed', baseSeconds: 0.4, maxSeconds: 0.4, jitter: 0 },
  });
  const w = startCli(p.dir, ['worker', 'w1']);
  try {
    await until('the task to fail for good', async () => (await p.baton.getTask(task.id)).status === 'failed');
    const history = (await p.baton.showTask(task.id)).history;
    const at = (type) => history.filter((e) => e.type === type).map((e) => Date.parse(e.at));
    const [claims, fails] = [at('claimed'), at('failed')];
    return Math.max(...claims.slice(1).map((claimedAt, i) => claimedAt - fails[i]));
  } finally {
    w.child.kill('SIGTERM');
    await w.exited;
    await p.cleanup();
  }
}

/** `baton worker --once` on a command that ignores SIGTERM, `--timeout 1`: the worker's whole run. */
async function stubbornTimeout() {
  const p = await project();
  await p.baton.createTask({
    title: 'runs too long',
    command: `sh -c 'trap "" TERM; exec sleep 600' & wait`,
    timeoutSeconds: 1,
    maxRetries: 0,
  });
  const started = performance.now();
  const w = startCli(p.dir, ['worker', 'w1', '--once']);
  try {
    await w.exited;
    return performance.now() - started;
  } finally {
    w.child.kill('SIGKILL');
    await p.cleanup();
  }
}

/** Worker `a` stopped with SIGTERM (grace 0.3 s) mid-task: from the signal to the task completed by `b`. */
async function handOver() {
  const p = await project();
  const task = await p.baton.createTask({
    title: 'released on stop',
    command: 'if [ "$BATON_WORKER_ID" = a ]; then sleep 600; fi',
  });
  const workers = [startCli(p.dir, ['worker', 'a', '--lease', '60', '--grace', '0.3'])];
  try {
    await until('a to run it', async () => (await p.baton.getTask(task.id)).status === 'executing');
    workers.push(startCli(p.dir, ['worker', 'b']));
    await until('b to be idle', async () => (await p.baton.listWorkers()).some((w) => w.id === 'b' && w.health === 'idle'));
    const stopped = performance.now();
    workers[0].child.kill('SIGTERM');
    await until('b to complete it', async () => (await p.baton.getTask(task.id)).status === 'completed');
    return performance.now() - stopped;
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await p.cleanup();
  }
}

/** An MCP agent holding a task closes its connection: how long until `baton mcp` released it and exited. */
async function mcpDisconnect() {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const p = await project();
  const task = await p.baton.createTask({ title: 'abandoned halfway', noBreakdown: true });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--worker', 'quitter'],
    cwd: p.dir,
    env: childEnv(),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench-agent', version: '1.0.0' });
  try {
    await client.connect(transport);
    await client.callTool({ name: 'next_task', arguments: {} });
    const started = performance.now();
    await client.close();
    const took = performance.now() - started;
    const after = await p.baton.getTask(task.id);
    if (after.status !== 'queued') throw new Error(`after disconnect the task is ${after.status}`);
    return took;
  } finally {
    await p.cleanup();
  }
}

// ── d. planners, SQLite ──────────────────────────────────────────────────────

/** A breakdown whose planner outlives its 1 s timeout: until the rule planner's answer is back. */
async function plannerTimeout(kind) {
  let server;
  let config;
  if (kind === 'command') {
    config = 'breakdown:\n  planner: command\n  command: node $DIR/slow.mjs\n  timeout: 1s\n';
  } else {
    server = createServer(() => undefined);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    config = `breakdown:\n  timeout: 1s\n  http:\n    url: http://127.0.0.1:${server.address().port}/v1\n    model: bench\n`;
  }
  const p = await project(config);
  writeFileSync(join(p.dir, 'slow.mjs'), 'setTimeout(() => process.stdout.write("{}"), 600_000);\n');
  try {
    const t = await p.baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * 60, noBreakdown: true });
    const started = performance.now();
    const result = await p.baton.breakdown(t.id, { planner: kind });
    if (result.planner !== 'rules') throw new Error(`the ${kind} planner answered`);
    return performance.now() - started;
  } finally {
    server?.closeAllConnections();
    server?.close();
    await p.cleanup();
  }
}

/** 40 creates then 40 claims, alternating between two handles on one SQLite file in one process. */
async function twoHandles() {
  const p = await project();
  const other = await openBaton({ db: p.db, actor: 'bench' });
  try {
    const started = performance.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? p.baton : other).createTask({ title: `Task ${i}` })));
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? p.baton : other).claim({ workerId: `w${i % 4}` })));
    return performance.now() - started;
  } finally {
    await other.close();
    await p.cleanup();
  }
}

// ── the report ───────────────────────────────────────────────────────────────

/** The median of the runs, against the bound it must stay under (none: reported only). */
const row = (name, samples, bound) => {
  const value = median(samples);
  const target = bound === undefined ? '-' : `< ${bound}`;
  return { name, value, unit: 'ms', target, ok: bound === undefined || value < bound, samples };
};

export async function run() {
  const s = {
    wakeP50: [],
    wakeP99: [],
    delayed: [],
    pooler: [],
    longPoll: [],
    retry: [],
    stubborn: [],
    handOver: [],
    mcp: [],
    command: [],
    http: [],
    handles: [],
  };
  for (let r = 0; r < RUNS; r++) {
    const wake = await pgWakeups('', WAKEUPS);
    s.wakeP50.push(percentile(wake, 50));
    s.wakeP99.push(percentile(wake, 99));
    s.delayed.push(Math.max(...(await pgDelayedLateness(5))));
    s.pooler.push(Math.max(...(await pgWakeups('&pooler=transaction', 5))));
    s.longPoll.push(percentile(await httpLongPoll(10), 99));
    s.retry.push(await retryGap());
    s.stubborn.push(await stubbornTimeout());
    s.handOver.push(await handOver());
    s.mcp.push(await mcpDisconnect());
    s.command.push(await plannerTimeout('command'));
    s.http.push(await plannerTimeout('http'));
    s.handles.push(await twoHandles());
    process.stderr.write(`latency run ${r + 1}/${RUNS} done\n`);
  }
  return {
    section: 'Latencies behind behaviour tests (bounds the tests no longer time)',
    runs: RUNS,
    results: [
      row('PostgreSQL: idle claimer woken by a task from another store, p50', s.wakeP50),
      row(`PostgreSQL: idle claimer woken by a task from another store, p99 of ${WAKEUPS}`, s.wakeP99, 500),
      row('PostgreSQL: delayed task reaches its waiting claimer after due, max of 5', s.delayed, 500),
      row('PostgreSQL behind a transaction pooler (polling): wake-up, max of 5', s.pooler, 500),
      row('HTTP long-poll claim, task added 300 ms in: answered after, p99 of 10', s.longPoll, 4000),
      row('worker, fixed retry delay 400 ms: failure -> next claim, longest gap', s.retry, 3000),
      row('command ignoring SIGTERM, --timeout 1: `worker --once` took', s.stubborn, 10_000),
      row('worker stopped by SIGTERM (grace 0.3 s): signal -> task completed by another', s.handOver, 10_000),
      row('MCP agent holding a task disconnects: close() took (SIGTERM fallback at 2 s)', s.mcp, 1950),
      row('command planner past its 1 s timeout: breakdown took', s.command, 10_000),
      row('HTTP planner past its 1 s timeout: breakdown took', s.http, 4000),
      row('SQLite, two handles in one process: 40 creates + 40 claims', s.handles, 10_000),
    ],
  };
}
