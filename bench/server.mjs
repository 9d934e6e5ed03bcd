// HTTP server benchmarks: GET /api/v1/tasks/{id} latency at 1,000 req/s (autocannon),
// claim+complete over HTTP with 16 concurrent clients, one task at a time and batched, on SQLite
// and on PostgreSQL (BATON_BENCH_PG, a fresh schema per run, dropped afterwards), and the
// server's memory with 100,000 tasks and 100 SSE clients. The server runs as its own process, as
// users run it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { DIST, jsonPoster, median, openFresh, queuedDump, startServe } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Tasks a batched worker claims at once, and completes in one request. */
const BATCH = 16;

/** Loads `n` queued tasks into a fresh store (an SQLite file, or a PostgreSQL schema), before any server opens it. */
async function storeWith(n, store = 'sqlite') {
  if (store === 'sqlite') {
    const { baton, db, cleanup } = await openFresh();
    await baton.importData(await queuedDump(n));
    await baton.close();
    return { db, cleanup: async () => cleanup() };
  }
  const schema = `bench_http_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db: url.href, actor: 'bench' });
  await baton.importData(await queuedDump(n));
  await baton.close();
  const cleanup = async () => {
    const { default: postgres } = await import('postgres');
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  };
  return { db: url.href, cleanup };
}

const post = jsonPoster(64);

async function getLatency() {
  const { db, cleanup } = await storeWith(1_000);
  const server = await startServe(db);
  try {
    // Warm up, then measure at a fixed rate of 1,000 requests a second.
    const run = (duration, rate) =>
      autocannon({
        url: server.url,
        connections: 10,
        duration,
        overallRate: rate,
        requests: [
          { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/tasks/${1 + Math.floor(Math.random() * 1000)}` }) },
        ],
      });
    await run(2, 1_000);
    const result = await run(8, 1_000);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`GET failures: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { p99: result.latency.p99, p50: result.latency.p50, rps: result.requests.average };
  } finally {
    await server.stop();
    await cleanup();
  }
}

/** One worker's turn: claims one task and completes it; the tasks it completed (0: the queue is empty). */
async function singleCycle(url, workerId) {
  const { task } = await post(url, '/api/v1/claims', { workerId });
  if (!task) return 0;
  await post(url, `/api/v1/tasks/${task.id}/complete`, { workerId, token: task.lease.token });
  return 1;
}

/** One worker's turn: claims up to BATCH tasks and completes them in one request. */
async function batchedCycle(url, workerId) {
  const { tasks } = await post(url, '/api/v1/claims', { workerId, limit: BATCH });
  if (tasks.length === 0) return 0;
  const items = tasks.map((t) => ({ id: t.id, workerId, token: t.lease.token }));
  const { results } = await post(url, '/api/v1/completions', { items });
  const refused = results.find((r) => !r.ok);
  if (refused) throw new Error(`completion refused: ${JSON.stringify(refused.error)}`);
  return results.length;
}

/** Claim+complete cycles a second, `clients` workers each running `cycle` in a loop for 8 s. */
async function claimComplete({ store, clients, cycle, tasks }) {
  const { db, cleanup } = await storeWith(tasks, store);
  const server = await startServe(db);
  try {
    let done = 0;
    const stopAt = performance.now() + 8_000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        while (performance.now() < stopAt) {
          const n = await cycle(server.url, `bench-${i}`);
          if (n === 0) return;
          done += n;
        }
      }),
    );
    return done / ((performance.now() - start) / 1000);
  } finally {
    await server.stop();
    await cleanup();
  }
}

const CYCLES = [
  { name: 'HTTP claim+complete, 16 clients, SQLite', store: 'sqlite', cycle: singleCycle, tasks: 40_000 },
  {
    name: `HTTP claim+complete, batched (claim limit ${BATCH}, POST /completions), 16 workers, SQLite`,
    store: 'sqlite',
    cycle: batchedCycle,
    tasks: 60_000,
  },
  { name: 'HTTP claim+complete, 16 clients, PostgreSQL', store: 'postgres', cycle: singleCycle, tasks: 40_000 },
  {
    name: `HTTP claim+complete, batched (claim limit ${BATCH}, POST /completions), 16 workers, PostgreSQL`,
    store: 'postgres',
    cycle: batchedCycle,
    tasks: 60_000,
  },
];

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function memoryWithStreams() {
  const { db, cleanup } = await storeWith(100_000);
  const server = await startServe(db);
  const streams = [];
  try {
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/v1/events`, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      });
      const reader = res.body.getReader();
      let received = 0;
      const drain = (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            received += value.length;
          }
        } catch {}
      })();
      streams.push({ controller, drain, received: () => received });
    }
    // Traffic that every stream carries, and the reads a dashboard makes.
    for (let i = 0; i < 200; i++) await post(server.url, '/api/v1/tasks', { title: `live ${i}` });
    for (let i = 0; i < 50; i++) {
      const { task } = await post(server.url, '/api/v1/claims', { workerId: 'mem' });
      await post(server.url, `/api/v1/tasks/${task.id}/complete`, { workerId: 'mem', token: task.lease.token });
    }
    await fetch(`${server.url}/api/v1/status`).then((r) => r.json());
    await fetch(`${server.url}/metrics`).then((r) => r.text());
    await fetch(`${server.url}/api/v1/tasks?limit=100`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 2_000));
    const quiet = streams.filter((s) => s.received() < 1_000).length;
    if (quiet > 0) throw new Error(`${quiet} SSE clients received nothing`);
    return rssMb(server.child.pid);
  } finally {
    for (const s of streams) s.controller.abort();
    await server.stop();
    await cleanup();
  }
}

export async function run() {
  const p99 = [];
  const p50 = [];
  const cycles = CYCLES.map(() => []);
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    const latency = await getLatency();
    p99.push(latency.p99);
    p50.push(latency.p50);
    for (const [j, c] of CYCLES.entries()) cycles[j].push(await claimComplete({ ...c, clients: 16 }));
    rss.push(await memoryWithStreams());
  }
  return {
    section: 'server (HTTP; SQLite unless named)',
    runs: RUNS,
    results: [
      { name: 'GET /api/v1/tasks/{id} at 1,000 req/s, p50', value: median(p50), unit: 'ms', target: '-', ok: true, samples: p50 },
      {
        name: 'GET /api/v1/tasks/{id} at 1,000 req/s, p99',
        value: median(p99),
        unit: 'ms',
        target: '<= 10',
        ok: median(p99) <= 10,
        samples: p99,
      },
      ...CYCLES.map((c, j) => ({
        name: c.name,
        value: median(cycles[j]),
        unit: 'cycles/s',
        target: '>= 2000',
        ok: median(cycles[j]) >= 2_000,
        samples: cycles[j],
      })),
      {
        name: 'server RSS, 100,000 tasks + 100 SSE clients',
        value: median(rss),
        unit: 'MB',
        target: '<= 150',
        ok: median(rss) <= 150,
        samples: rss,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
