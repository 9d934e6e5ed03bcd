// Agent fleet benchmark: many simulated agents, each its own worker id, register and then loop
// over HTTP — a long-poll claim, a progress report, a completion — until a claim that waited finds
// nothing. The agents run in several load-generator processes (so no one client event loop is the
// bottleneck), over keep-alive connections, against `baton serve` processes:
// - SQLite: BENCH_AGENTS_SQLITE agents (1,000) on one server;
// - PostgreSQL: BENCH_AGENTS_PG agents (5,000) split over two servers on one schema.
// Measured: cycles/s, claim latency p50/p99 as the agent sees it (claims that found a task), each
// server's peak resident memory, and exactly-once from the event log read after the run: every
// task has one `completed` event, none is missing, and no task was claimed twice.
// Settings: BENCH_RUNS, BENCH_AGENT_TASKS (20,000), BENCH_AGENTS_PER_PROC (250), BENCH_AGENT_WAIT
// (long-poll seconds, 5), BENCH_AGENT_STORES (sqlite,pg).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DIST,
  freshPgSchema,
  jsonPoster,
  median,
  openFresh,
  percentile,
  queuedDump,
  readLines,
  rssMb,
  startServe,
} from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_AGENT_TASKS ?? 20_000);
const AGENTS = { sqlite: Number(process.env.BENCH_AGENTS_SQLITE ?? 1_000), pg: Number(process.env.BENCH_AGENTS_PG ?? 5_000) };
const PER_PROC = Number(process.env.BENCH_AGENTS_PER_PROC ?? 250);
const WAIT = Number(process.env.BENCH_AGENT_WAIT ?? 5);
const STORES = (process.env.BENCH_AGENT_STORES ?? 'sqlite,pg').split(',');
const MEMORY_MB = 500;
const CHILD_ENV = 'BATON_BENCH_AGENTS_CHILD';
const SELF = fileURLToPath(import.meta.url);
/** Milliseconds on a clock every process of this machine shares. */
const clock = () => performance.timeOrigin + performance.now();

// ── one load-generator process: `agents` agents against `url` ─────────────────

/** Counts a failed request; the first few are told at once, so a stuck run still says why. */
function failed(stats, message) {
  stats.errors++;
  if (stats.errors <= 5) process.stderr.write(`agents: ${message.slice(0, 300)}\n`);
}

/** Registers as an agent does: a refused or reset connection is counted and tried again. */
async function register(post, url, id, stats) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post(url, '/api/v1/workers', { id });
    } catch (err) {
      failed(stats, `register ${id}: ${err.message}`);
      if (attempt === 5) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** Claims in a row that may fail before an agent gives up (a server gone must not keep it looping). */
const CLAIM_FAILURES = 20;

async function agent(post, url, id, stats) {
  for (let failures = 0; ; ) {
    const t0 = performance.now();
    let task;
    try {
      ({ task } = await post(url, '/api/v1/claims', { workerId: id, wait: WAIT }));
      failures = 0;
    } catch (err) {
      failed(stats, `claim: ${err.message}`);
      if (++failures === CLAIM_FAILURES) return;
      await new Promise((r) => setTimeout(r, 100 * failures));
      continue;
    }
    if (!task) return;
    stats.claimMs.push(performance.now() - t0);
    const ref = { workerId: id, token: task.lease.token };
    try {
      await post(url, `/api/v1/tasks/${task.id}/progress`, { ...ref, progress: 50 });
      await post(url, `/api/v1/tasks/${task.id}/complete`, ref);
      stats.completed.push(task.id);
      stats.lastAt = clock();
    } catch (err) {
      failed(stats, `task ${task.id}: ${err.message}`);
    }
  }
}

async function child({ url, first, agents }) {
  // One socket per agent: each holds one request at a time, a long-poll claim most of it.
  const post = jsonPoster(agents);
  const lines = readLines(process.stdin.setEncoding('utf8'));
  const ids = Array.from({ length: agents }, (_, i) => `agent-${first + i}`);
  const stats = { claimMs: [], completed: [], errors: 0, lastAt: null };
  await Promise.all(ids.map((id) => register(post, url, id, stats)));
  process.stdout.write('ready\n');
  await lines.next();
  // Nothing more comes on stdin: its end means the benchmark is gone, and so should this be.
  void lines.next().then(() => process.exit(1));
  await Promise.all(ids.map((id) => agent(post, url, id, stats)));
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exit(0);
}

function spawnAgents(url, first, agents) {
  const proc = spawn(process.execPath, [SELF], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ url, first, agents }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readLines(proc.stdout.setEncoding('utf8'));
  return {
    ready: lines.next(),
    go: () => proc.stdin.write('go\n'),
    done: lines.next().then(({ value }) => {
      if (value === undefined) throw new Error('a load-generator process ended without its report (see above)');
      return JSON.parse(value);
    }),
  };
}

// ── one run ───────────────────────────────────────────────────────────────────

/** The highest resident memory of each process while `fn` runs, sampled every 100 ms. */
async function peakRss(pids, fn) {
  const peaks = pids.map(() => 0);
  const sample = () => {
    for (const [i, pid] of pids.entries()) peaks[i] = Math.max(peaks[i], rssMb(pid));
  };
  const timer = setInterval(sample, 100);
  try {
    const value = await fn();
    sample();
    return { value, peaks };
  } finally {
    clearInterval(timer);
  }
}

/** Per task, how many `claimed` and `completed` events the store holds, read after the run. */
async function eventCounts(db) {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db, actor: 'bench' });
  const claimed = new Map();
  const completed = new Map();
  try {
    for (let after = 0; ; ) {
      const page = await baton.events({ afterId: after, limit: 10_000 });
      if (page.length === 0) break;
      for (const e of page) {
        const counts = e.type === 'claimed' ? claimed : e.type === 'completed' ? completed : null;
        counts?.set(e.taskId, (counts.get(e.taskId) ?? 0) + 1);
      }
      after = page[page.length - 1].id;
    }
  } finally {
    await baton.close();
  }
  return { claimed, completed };
}

async function fleetRun(db, servers, agents) {
  const procs = [];
  for (let first = 0; first < agents; first += PER_PROC) {
    // Agents are split evenly over the servers, each process talking to one of them.
    const url = servers[procs.length % servers.length].url;
    procs.push(spawnAgents(url, first, Math.min(PER_PROC, agents - first)));
  }
  await Promise.all(procs.map((p) => p.ready));
  const { value: reports, peaks } = await peakRss(
    servers.map((s) => s.child.pid),
    async () => {
      const startedAt = clock();
      for (const p of procs) p.go();
      const reports = await Promise.all(procs.map((p) => p.done));
      return { startedAt, reports };
    },
  );
  for (const s of servers) await s.stop();
  const { startedAt } = reports;
  const all = reports.reports;
  const claimMs = all.flatMap((r) => r.claimMs);
  const completedIds = all.flatMap((r) => r.completed);
  const lastAt = Math.max(...all.map((r) => r.lastAt ?? startedAt));
  const errors = all.reduce((n, r) => n + r.errors, 0);
  const { claimed, completed } = await eventCounts(db);
  let missing = 0;
  let duplicates = 0;
  let reclaimed = 0;
  for (let id = 1; id <= TASKS; id++) {
    const n = completed.get(id) ?? 0;
    if (n === 0) missing++;
    duplicates += Math.max(0, n - 1);
    reclaimed += Math.max(0, (claimed.get(id) ?? 0) - 1);
  }
  return {
    cycles: completedIds.length / ((lastAt - startedAt) / 1000),
    p50: percentile(claimMs, 50),
    p99: percentile(claimMs, 99),
    peaks,
    missing,
    duplicates,
    reclaimed,
    // Two agents told their completion succeeded for one task.
    clientDuplicates: completedIds.length - new Set(completedIds).size,
    errors,
  };
}

async function sqliteRun() {
  const { baton, db, cleanup } = await openFresh();
  try {
    await baton.importData(await queuedDump(TASKS));
    await baton.close();
    return await fleetRun(db, [await startServe(db)], AGENTS.sqlite);
  } finally {
    cleanup();
  }
}

async function pgRun() {
  const { url, drop } = freshPgSchema('agents');
  try {
    const { openBaton } = await import(new URL('app/open.js', DIST));
    const baton = await openBaton({ db: url, actor: 'bench' });
    await baton.importData(await queuedDump(TASKS));
    await baton.close();
    const servers = await Promise.all([startServe(url), startServe(url)]);
    return await fleetRun(url, servers, AGENTS.pg);
  } finally {
    await drop();
  }
}

function results(label, runs) {
  const of = (key) => runs.map((r) => r[key]);
  const row = (name, samples, unit, target, ok) => ({
    name: `${label}: ${name}`,
    value: median(samples),
    unit,
    target,
    ok: ok(samples),
    samples,
  });
  const zero = (xs) => xs.every((x) => x === 0);
  return [
    row('cycles (claim → progress → complete)', of('cycles'), 'cycles/s', '-', () => true),
    row('claim p50 (agent side)', of('p50'), 'ms', '-', () => true),
    row('claim p99 (agent side)', of('p99'), 'ms', '-', () => true),
    ...runs[0].peaks.map((_, i) =>
      row(
        `server ${i + 1} peak RSS`,
        runs.map((r) => r.peaks[i]),
        'MB',
        `<= ${MEMORY_MB}`,
        (xs) => median(xs) <= MEMORY_MB,
      ),
    ),
    row('tasks completed twice (event log)', of('duplicates'), 'tasks', '0', zero),
    row('tasks never completed (event log)', of('missing'), 'tasks', '0', zero),
    row('completions two agents were told of', of('clientDuplicates'), 'tasks', '0', zero),
    row('tasks claimed more than once', of('reclaimed'), 'claims', '0', zero),
    row('agent request errors', of('errors'), 'errors', '0', zero),
  ];
}

export async function run() {
  const out = [];
  const label = { sqlite: `SQLite, ${AGENTS.sqlite} agents, 1 server`, pg: `PostgreSQL, ${AGENTS.pg} agents, 2 servers` };
  for (const store of STORES) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await (store === 'pg' ? pgRun() : sqliteRun()));
    out.push(...results(label[store], runs));
  }
  return {
    section: `agents (${TASKS.toLocaleString('en')} tasks, long-poll ${WAIT} s, ${PER_PROC} agents per load process)`,
    runs: RUNS,
    results: out,
  };
}

if (process.env[CHILD_ENV]) {
  await child(JSON.parse(process.env[CHILD_ENV]));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
