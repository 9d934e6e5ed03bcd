// GraphQL and WebSocket benchmarks against a `baton serve` process on SQLite: a page of 100 tasks
// with their dependencies at 100,000 tasks (p50), and how fast 1,000 WebSocket subscribers of
// /api/v1/ws receive an event (p99 from the write's request to each client's receipt).
import WebSocket from 'ws';
import { jsonPoster, median, openFresh, percentile, queuedDump, startServe } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_GRAPHQL_TASKS ?? 100_000);
const SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1_000);

/** `n` tasks, each after the first two waiting for the two before it (blocked, as they would be). */
async function storeWithDependencies(n) {
  const { baton, db, cleanup } = await openFresh();
  const dump = await queuedDump(n);
  for (const task of dump.tasks) {
    if (task.id <= 2) continue;
    task.dependsOn = [task.id - 2, task.id - 1];
    task.status = 'blocked';
    task.readyAt = null;
  }
  await baton.importData(dump);
  await baton.close();
  return { db, cleanup };
}

const post = jsonPoster(16);

const PAGE = `query ($cursor: String) {
  tasks(limit: 100, cursor: $cursor) { next tasks { id title status dependencies { id title status } } }
}`;

async function taskPages() {
  const { db, cleanup } = await storeWithDependencies(TASKS);
  const server = await startServe(db);
  try {
    const times = [];
    let cursor = null;
    for (let i = 0; i < 230; i++) {
      const start = performance.now();
      const answer = await post(server.url, '/api/v1/graphql', { query: PAGE, variables: { cursor } });
      const elapsed = performance.now() - start;
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
      const page = answer.data.tasks;
      if (page.tasks.length !== 100 || page.tasks[5].dependencies.length !== 2) throw new Error('unexpected page');
      cursor = page.next;
      // The first pages warm the server up.
      if (i >= 30) times.push(elapsed);
    }
    return median(times);
  } finally {
    await server.stop();
    cleanup();
  }
}

async function subscribers() {
  const { db, cleanup } = await storeWithDependencies(1_000);
  const server = await startServe(db);
  const sockets = [];
  try {
    const latencies = [];
    const sentAt = new Map();
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws?type=created`);
      socket.on('message', (data) => {
        const m = JSON.parse(data);
        if (m.type !== 'event') return;
        const at = sentAt.get(m.event.data?.title);
        if (at !== undefined) latencies.push(performance.now() - at);
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      sockets.push(socket);
    }
    const events = 30;
    for (let i = 0; i < events; i++) {
      const title = `live ${i}`;
      sentAt.set(title, performance.now());
      await post(server.url, '/api/v1/tasks', { title });
      await new Promise((r) => setTimeout(r, 100));
    }
    const deadline = Date.now() + 10_000;
    while (latencies.length < events * SUBSCRIBERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (latencies.length < events * SUBSCRIBERS) throw new Error(`${events * SUBSCRIBERS - latencies.length} deliveries missing`);
    return percentile(latencies, 99);
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop();
    cleanup();
  }
}

export async function run() {
  const pages = [];
  const p99 = [];
  for (let i = 0; i < RUNS; i++) {
    pages.push(await taskPages());
    p99.push(await subscribers());
  }
  return {
    section: `GraphQL and WebSocket (SQLite, ${TASKS.toLocaleString('en')} tasks, ${SUBSCRIBERS.toLocaleString('en')} subscribers)`,
    runs: RUNS,
    results: [
      {
        name: 'GraphQL page of 100 tasks with their dependencies, p50',
        value: median(pages),
        unit: 'ms',
        target: '<= 20',
        ok: median(pages) <= 20,
        samples: pages,
      },
      {
        name: 'WebSocket subscribers receive an event, p99',
        value: median(p99),
        unit: 'ms',
        target: '<= 200',
        ok: median(p99) <= 200,
        samples: p99,
      },
    ],
  };
}
