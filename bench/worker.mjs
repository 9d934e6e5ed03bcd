// Worker benchmarks over the built dist/ (run `npx tsc -p tsconfig.build.json` first):
//   1. 4 `baton worker` processes, tasks whose command is `true`: tasks/s end to end;
//   2. the JS handler API, one process, concurrency 16, no-op handler: tasks/s on embedded SQLite;
//   3. pickup latency of an idle worker process for a newly added task (p50/p99).
// Each is run 3 times; the median is reported. Results: a table on stdout, JSON in bench/results/worker.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'dist/cli/main.js');
const { openBaton, work } = await import(join(root, 'dist/index.js'));

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHELL_TASKS = Number(process.env.BENCH_SHELL_TASKS ?? 1000);
const HANDLER_TASKS = Number(process.env.BENCH_HANDLER_TASKS ?? 20_000);
const PICKUPS = Number(process.env.BENCH_PICKUPS ?? 60);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const r = spawnSync(process.execPath, [BIN, 'init'], { cwd: dir, env: childEnv() });
  if (r.status !== 0) throw new Error(String(r.stderr));
  return { dir, db: join(dir, '.baton/baton.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function startWorker(dir, args) {
  const child = spawn(process.execPath, [BIN, 'worker', ...args, '--json'], {
    cwd: dir,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.resume();
  return child;
}

async function waitUntil(probe, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await sleep(10);
  }
}

async function stopAll(children) {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((r) => {
          c.on('exit', r);
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** 1. Four worker processes drain SHELL_TASKS tasks whose command is `true`. */
async function shellThroughput() {
  const p = project();
  const baton = await openBaton({ db: p.db });
  const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => startWorker(p.dir, [id]));
  try {
    await waitUntil(async () => (await baton.listWorkers()).filter((w) => w.health === 'idle').length === 4);
    const t0 = performance.now();
    for (let i = 0; i < SHELL_TASKS; i++) await baton.createTask({ title: `t${i}`, command: 'true' });
    await waitUntil(async () => (await baton.listTasks({ status: ['completed'], limit: 1 })).total === SHELL_TASKS);
    return SHELL_TASKS / ((performance.now() - t0) / 1000);
  } finally {
    await stopAll(workers);
    await baton.close();
    p.cleanup();
  }
}

/** Where the time of a shell task goes: spawning `/bin/sh -c true` alone, one after another. */
async function spawnCostMs() {
  const n = 100;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise((r) =>
      spawn('/bin/sh', ['-c', 'true'], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] }).on('close', r),
    );
  }
  return (performance.now() - t0) / n;
}

/** 2. One process, JS handler, concurrency 16, no-op (and with 16 more tasks claimed ahead). */
async function handlerThroughput(prefetch = 0) {
  const p = project();
  const baton = await openBaton({ db: p.db });
  try {
    for (let i = 0; i < HANDLER_TASKS; i++) await baton.createTask({ title: `t${i}` });
    let done = 0;
    let finished;
    const all = new Promise((r) => {
      finished = r;
    });
    const t0 = performance.now();
    const worker = work(baton, {
      id: 'js',
      concurrency: 16,
      prefetch,
      handler: () => undefined,
      onEvent: (e) => {
        if (e.type === 'completed' && ++done === HANDLER_TASKS) finished();
      },
    });
    await all;
    const rate = HANDLER_TASKS / ((performance.now() - t0) / 1000);
    await worker.close();
    return rate;
  } finally {
    await baton.close();
    p.cleanup();
  }
}

/** 3. An idle worker process: time from a task's creation to its claim (both stamped by the store's clock). */
async function pickupLatency() {
  const p = project();
  const baton = await openBaton({ db: p.db });
  const worker = startWorker(p.dir, ['idle']);
  const samples = [];
  try {
    await waitUntil(async () => (await baton.listWorkers()).some((w) => w.health === 'idle'));
    for (let i = 0; i < PICKUPS; i++) {
      // Let the worker go idle for a varying while, so its wait loop is at a random phase.
      await sleep(150 + Math.random() * 350);
      const task = await baton.createTask({ title: `p${i}`, command: 'true' });
      const started = await waitFor(baton, task.id);
      samples.push(Date.parse(started) - Date.parse(task.createdAt));
    }
    return { p50: pct(samples, 50), p99: pct(samples, 99) };
  } finally {
    await stopAll([worker]);
    await baton.close();
    p.cleanup();
  }
}

async function waitFor(baton, id) {
  for (;;) {
    const t = await baton.getTask(id);
    if (t.startedAt) return t.startedAt;
    await sleep(2);
  }
}

const results = { shell: [], spawnMs: [], handler: [], handlerPrefetch: [], pickupP50: [], pickupP99: [] };
for (let run = 1; run <= RUNS; run++) {
  results.shell.push(await shellThroughput());
  results.spawnMs.push(await spawnCostMs());
  results.handler.push(await handlerThroughput());
  results.handlerPrefetch.push(await handlerThroughput(16));
  const pickup = await pickupLatency();
  results.pickupP50.push(pickup.p50);
  results.pickupP99.push(pickup.p99);
  process.stderr.write(`run ${run}/${RUNS} done\n`);
}

const rows = [
  ['4 worker processes, `true` commands', 'tasks/s', median(results.shell), '>= 150'],
  ['  spawn of `sh -c true` alone (1 at a time)', 'ms/task', median(results.spawnMs), '-'],
  ['JS handler, 1 process, concurrency 16, no-op', 'tasks/s', median(results.handler), '>= 10000'],
  ['  the same with --prefetch 16', 'tasks/s', median(results.handlerPrefetch), '>= 10000'],
  ['pickup latency of an idle worker, p50', 'ms', median(results.pickupP50), '<= 50'],
  ['pickup latency of an idle worker, p99', 'ms', median(results.pickupP99), '<= 250'],
];
console.log(`Worker benchmarks (median of ${RUNS} runs; ${cpus().length} CPUs, Node ${process.version})\n`);
console.log(`${'benchmark'.padEnd(48)} ${'unit'.padEnd(8)} ${'median'.padStart(9)}  target`);
for (const [name, unit, value, target] of rows) {
  console.log(`${name.padEnd(48)} ${unit.padEnd(8)} ${value.toFixed(1).padStart(9)}  ${target}`);
}
const out = join(root, 'bench/results/worker.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      runs: RUNS,
      params: { shellTasks: SHELL_TASKS, handlerTasks: HANDLER_TASKS, pickups: PICKUPS },
      median: {
        shellTasksPerSecond: median(results.shell),
        spawnMsPerTask: median(results.spawnMs),
        handlerTasksPerSecond: median(results.handler),
        handlerPrefetchTasksPerSecond: median(results.handlerPrefetch),
        pickupP50Ms: median(results.pickupP50),
        pickupP99Ms: median(results.pickupP99),
      },
      samples: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten to ${out}`);
