// HTTP server benchmarks: GET /api/v1/tasks/{id} latency at 1,000 req/s (autocannon),
// claim+complete over HTTP with 16 concurrent clients on SQLite, and the server's memory with
// 100,000 tasks and 100 SSE clients. The server runs as its own process, as users run it.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { jsonPoster, median, openFresh, queuedDump, startServe } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Loads `n` queued tasks into a fresh store file, before any server opens it. */
async function storeWith(n) {
  const { baton, db, cleanup } = await openFresh();
  await baton.importData(await queuedDump(n));
  await baton.close();
  return { db, cleanup };
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
    cleanup();
  }
}

async function claimComplete(clients) {
  const n = 40_000;
  const { db, cleanup } = await storeWith(n);
  const server = await startServe(db);
  try {
    let done = 0;
    const stopAt = performance.now() + 8_000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const workerId = `bench-${i}`;
        while (performance.now() < stopAt) {
          const { task } = await post(server.url, '/api/v1/claims', { workerId });
          if (!task) return;
          await post(server.url, `/api/v1/tasks/${task.id}/complete`, { workerId, token: task.lease.token });
          done++;
        }
      }),
    );
    return done / ((performance.now() - start) / 1000);
  } finally {
    await server.stop();
    cleanup();
  }
}

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
    cleanup();
  }
}

export async function run() {
  const p99 = [];
  const p50 = [];
  const cycles = [];
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    const latency = await getLatency();
    p99.push(latency.p99);
    p50.push(latency.p50);
    cycles.push(await claimComplete(16));
    rss.push(await memoryWithStreams());
  }
  return {
    section: 'server (HTTP, SQLite)',
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
      {
        name: 'claim+complete over HTTP, 16 clients',
        value: median(cycles),
        unit: 'cycles/s',
        target: '>= 2000',
        ok: median(cycles) >= 2_000,
        samples: cycles,
      },
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
