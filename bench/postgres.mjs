// PostgreSQL benchmarks: Baton's PostgreSQL store side by side with graphile-worker and pg-boss,
// in one run, on one database, each in its own schema (dropped afterwards); BullMQ on the local
// Redis as a reference row (another kind of store: in memory, not a database):
//   a. drain 20,000 queued no-op tasks, one process with concurrency 16;
//   b. the same with two processes × concurrency 8;
//   c. pickup latency of tasks added one at a time, 20 ms apart, to idle workers;
//   d. single-add rate (one add at a time, each awaited).
// The three are measured interleaved within each run (order rotated per run), so load from
// elsewhere on the machine hits them alike; the ratios Baton / faster peer are what to read.
// Baton writes a full audit event per change (claimed, completed, created); the peers do not.
//
// The peers live in bench/package.json only (`npm --prefix bench ci`), never in Baton's own.
// Settings: BATON_BENCH_PG (database URL), BENCH_RUNS, BENCH_PG_TASKS, BENCH_PG_PICKUPS,
// BENCH_PG_ADDS, BENCH_PGBOSS_BATCH, BATON_BENCH_REDIS (default redis://127.0.0.1:6379; "off" leaves BullMQ out).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DIST, median, PG_URL, percentile, queuedDump, readLines } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_PG_TASKS ?? 20_000);
const PICKUPS = Number(process.env.BENCH_PG_PICKUPS ?? 200);
const ADDS = Number(process.env.BENCH_PG_ADDS ?? 1000);
// pg-boss 10 fetches once per polling interval (at least 0.5 s) per work() loop, so its
// throughput comes from the batch size: each of its `concurrency` loops takes this many at once.
const PGBOSS_BATCH = Number(process.env.BENCH_PGBOSS_BATCH ?? 50);
// A peer that cannot drain in this long is measured on what it completed by then.
const DRAIN_CAP_MS = Number(process.env.BENCH_PG_DRAIN_CAP_MS ?? 60_000);
const CHILD_ENV = 'BATON_BENCH_PG_CHILD';
const REDIS_URL = process.env.BATON_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const SELF = fileURLToPath(import.meta.url);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds on a clock every process of this machine shares, with sub-millisecond precision. */
const clock = () => performance.timeOrigin + performance.now();
const quoted = (name) => `"${name}"`;

function schemaUrl(schema) {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return url.href;
}

async function admin() {
  const { default: postgres } = await import('postgres');
  return postgres(PG_URL, { max: 2, onnotice: () => {} });
}

// ── the three libraries, behind one small interface ─────────────────────────

/** Baton through its public API: openBaton, the JS-handler worker (prefetch = concurrency), createTask. */
const baton = {
  label: 'Baton',
  async enqueue(schema, n) {
    const { openBaton } = await import(new URL('app/open.js', DIST));
    const b = await openBaton({ db: schemaUrl(schema), actor: 'bench' });
    await b.importData(await queuedDump(n));
    await b.close();
  },
  async startWorker(schema, concurrency, onJob) {
    const { openBaton, work } = await import(new URL('index.js', DIST));
    const b = await openBaton({ db: schemaUrl(schema), actor: 'bench' });
    // Tasks claimed ahead of a free slot, as graphile-worker's local queue below.
    const w = work(b, { concurrency, prefetch: concurrency, handler: (task) => onJob(task.input) });
    return async () => {
      await w.close();
      await b.close();
    };
  },
  async producer(schema) {
    const { openBaton } = await import(new URL('app/open.js', DIST));
    const b = await openBaton({ db: schemaUrl(schema), actor: 'bench' });
    return { add: (payload) => b.createTask({ title: 'job', input: payload }), close: () => b.close() };
  },
  completed: (sql, s) => countOf(sql, `SELECT count(*)::int AS n FROM ${quoted(s)}.tasks WHERE status = 'completed'`),
};

const countOf = async (sql, query) => Number((await sql.unsafe(query))[0].n);

const quietGraphile = async () => {
  const { Logger } = await import('graphile-worker');
  return new Logger(() => () => {});
};

/**
 * graphile-worker as its performance guide suggests for many fast jobs: a local queue (jobs
 * fetched and locked in batches) and batched completions.
 */
const graphile = {
  label: 'graphile-worker',
  async enqueue(schema, n) {
    const { makeWorkerUtils } = await import('graphile-worker');
    const utils = await makeWorkerUtils({ connectionString: PG_URL, schema, logger: await quietGraphile() });
    await utils.migrate();
    for (let i = 0; i < n; i += 5000) {
      await utils.addJobs(Array.from({ length: Math.min(5000, n - i) }, () => ({ identifier: 'noop', payload: {} })));
    }
    await utils.release();
  },
  async startWorker(schema, concurrency, onJob) {
    const { run } = await import('graphile-worker');
    const runner = await run({
      connectionString: PG_URL,
      schema,
      concurrency,
      noHandleSignals: true,
      logger: await quietGraphile(),
      taskList: { noop: async (payload) => onJob(payload) },
      preset: { worker: { localQueue: { size: concurrency * 4 }, completeJobBatchDelay: 0 } },
    });
    return async () => {
      await runner.stop();
      await runner.promise.catch(() => {});
    };
  },
  async producer(schema) {
    const { makeWorkerUtils } = await import('graphile-worker');
    const utils = await makeWorkerUtils({ connectionString: PG_URL, schema, logger: await quietGraphile() });
    await utils.migrate();
    return { add: (payload) => utils.addJob('noop', payload), close: () => utils.release() };
  },
  // Completed jobs are deleted.
  completed: (sql, s, n) => countOf(sql, `SELECT (${Number(n)} - count(*))::int AS n FROM ${quoted(s)}._private_jobs`),
};

async function startBoss(schema) {
  const { default: PgBoss } = await import('pg-boss');
  const boss = new PgBoss({ connectionString: PG_URL, schema, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('noop').catch(() => {});
  return boss;
}

/**
 * pg-boss 10 (the newest release that runs on Node 20): concurrency is `concurrency` work()
 * loops, each fetching `PGBOSS_BATCH` jobs per poll at the shortest interval it allows (0.5 s)
 * and running them at once; a batch completes in one statement.
 */
const pgboss = {
  label: 'pg-boss',
  async enqueue(schema, n) {
    const boss = await startBoss(schema);
    for (let i = 0; i < n; i += 5000) {
      await boss.insert(Array.from({ length: Math.min(5000, n - i) }, () => ({ name: 'noop', data: {} })));
    }
    await boss.stop({ graceful: false, wait: true });
  },
  async startWorker(schema, concurrency, onJob) {
    const boss = await startBoss(schema);
    const options = { batchSize: PGBOSS_BATCH, pollingIntervalSeconds: 0.5 };
    for (let i = 0; i < concurrency; i++) {
      await boss.work('noop', options, (jobs) => Promise.all(jobs.map((job) => onJob(job.data))));
    }
    return () => boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  },
  async producer(schema) {
    const boss = await startBoss(schema);
    return { add: (payload) => boss.send('noop', payload), close: () => boss.stop({ graceful: false, wait: true }) };
  },
  completed: (sql, s) =>
    countOf(sql, `SELECT count(*)::int AS n FROM ${quoted(s)}.job WHERE name = 'noop' AND state = 'completed'`),
};

/** A client of its own for each queue and worker, as BullMQ wants them in an ES module. */
async function redisConnection() {
  const { Redis } = await import('ioredis');
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

/**
 * BullMQ on Redis, for reference: jobs in memory (Redis persists in the background), one
 * queue per run named like the schema; a worker with `concurrency` and its default pipelining.
 * Finished jobs are kept, as Baton keeps its tasks.
 */
const bullmq = {
  label: 'BullMQ (Redis)',
  async queue(name) {
    const { Queue } = await import('bullmq');
    return new Queue(name, { connection: await redisConnection() });
  },
  async enqueue(name, n) {
    const q = await bullmq.queue(name);
    for (let i = 0; i < n; i += 5000) {
      await q.addBulk(Array.from({ length: Math.min(5000, n - i) }, () => ({ name: 'noop', data: {} })));
    }
    await q.close();
  },
  async startWorker(name, concurrency, onJob) {
    const { Worker } = await import('bullmq');
    const worker = new Worker(name, async (job) => onJob(job.data), { connection: await redisConnection(), concurrency });
    worker.on('error', () => {});
    return () => worker.close();
  },
  async producer(name) {
    const q = await bullmq.queue(name);
    return { add: (payload) => q.add('noop', payload), close: () => q.obliterate({ force: true }).then(() => q.close()) };
  },
  async completed(_sql, name) {
    const q = await bullmq.queue(name);
    try {
      return await q.getCompletedCount();
    } finally {
      await q.close();
    }
  },
  async drop(name) {
    const q = await bullmq.queue(name);
    await q.obliterate({ force: true });
    await q.close();
  },
};

const LIBS = { baton, graphile, pgboss, bullmq };

// ── a worker process (drains run in real OS processes) ────────────────────────

async function child({ lib, schema, concurrency }) {
  let first = null;
  let handled = 0;
  const onJob = () => {
    first ??= clock();
    handled++;
  };
  const lines = readLines(process.stdin.setEncoding('utf8'));
  process.stdout.write('ready\n');
  await lines.next();
  const stop = await LIBS[lib].startWorker(schema, concurrency, onJob);
  await lines.next();
  await stop();
  process.stdout.write(`${JSON.stringify({ first, handled })}\n`);
  process.exit(0);
}

function spawnWorker(lib, schema, concurrency) {
  const proc = spawn(process.execPath, [SELF], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ lib, schema, concurrency }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readLines(proc.stdout.setEncoding('utf8'));
  const exited = new Promise((resolve) => proc.on('close', resolve));
  return {
    ready: lines.next(),
    go: () => proc.stdin.write('go\n'),
    async stop() {
      proc.stdin.write('stop\n');
      const { value } = await lines.next();
      await exited;
      return JSON.parse(value);
    },
  };
}

// ── the workloads ────────────────────────────────────────────────────────────

const newSchema = (lib) => `bench_${lib}_${randomBytes(4).toString('hex')}`;

async function withSchema(sql, lib, fn) {
  const schema = newSchema(lib);
  try {
    return await fn(schema);
  } finally {
    if (LIBS[lib].drop) await LIBS[lib].drop(schema);
    else await sql.unsafe(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
  }
}

/** Tasks per second from the first job started to the last completion committed. */
async function drain(sql, lib, processes, concurrency) {
  return withSchema(sql, lib, async (schema) => {
    await LIBS[lib].enqueue(schema, TASKS);
    const workers = Array.from({ length: processes }, () => spawnWorker(lib, schema, concurrency));
    await Promise.all(workers.map((w) => w.ready));
    const started = Date.now();
    for (const w of workers) w.go();
    let done = 0;
    while (done < TASKS && Date.now() - started < DRAIN_CAP_MS) {
      await sleep(10);
      done = await LIBS[lib].completed(sql, schema, TASKS);
    }
    const end = clock();
    const reports = await Promise.all(workers.map((w) => w.stop()));
    const first = Math.min(...reports.map((r) => r.first ?? end));
    const rate = done / ((end - first) / 1000);
    const events =
      lib === 'baton' ? Number((await sql.unsafe(`SELECT count(*)::int AS n FROM ${quoted(schema)}.events`))[0].n) : 0;
    return { rate, done, eventsPerTask: events / TASKS };
  });
}

/** Pickup latency: from the start of an add to the start of its handler, workers idle. */
async function pickup(sql, lib) {
  return withSchema(sql, lib, async (schema) => {
    const lat = [];
    const producer = await LIBS[lib].producer(schema);
    const stop = await LIBS[lib].startWorker(schema, 4, (payload) => {
      lat.push(clock() - payload.t);
    });
    await sleep(1000);
    for (let i = 0; i < PICKUPS; i++) {
      const t = clock();
      await producer.add({ t });
      await sleep(Math.max(0, t + 20 - clock()));
    }
    const deadline = Date.now() + 5_000;
    while (lat.length < PICKUPS && Date.now() < deadline) await sleep(20);
    await stop();
    await producer.close();
    return { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), n: lat.length };
  });
}

/** Adds per second, one at a time from one client. */
async function addRate(sql, lib) {
  return withSchema(sql, lib, async (schema) => {
    const producer = await LIBS[lib].producer(schema);
    for (let i = 0; i < 50; i++) await producer.add({ i });
    const t0 = clock();
    for (let i = 0; i < ADDS; i++) await producer.add({ i });
    const rate = ADDS / ((clock() - t0) / 1000);
    await producer.close();
    return rate;
  });
}

// ── the report ───────────────────────────────────────────────────────────────

const ORDER = ['baton', 'graphile', 'pgboss', ...(REDIS_URL === 'off' ? [] : ['bullmq'])];
const rotated = (r) => [...ORDER.slice(r % ORDER.length), ...ORDER.slice(0, r % ORDER.length)];

function peerRows(name, unit, samplesOf, fmt = (x) => x) {
  return ORDER.map((lib) => {
    const samples = samplesOf(lib);
    return { name: `${name}: ${LIBS[lib].label}`, value: median(samples.map(fmt)), unit, target: '-', ok: true, samples };
  });
}

function ratioRow(name, samplesOf, target, higherIsBetter = true) {
  const m = (lib) => median(samplesOf(lib));
  const best = higherIsBetter ? Math.max(m('graphile'), m('pgboss')) : Math.min(m('graphile'), m('pgboss'));
  const value = m('baton') / best;
  const ok = target === undefined ? true : value >= target;
  return { name, value, unit: '×', target: target === undefined ? '-' : `>= ${target}`, ok, samples: [] };
}

export async function run() {
  const sql = await admin();
  const s = Object.fromEntries(ORDER.map((lib) => [lib, { one: [], two: [], lat: [], add: [] }]));
  const events = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const lib of rotated(r)) {
        const one = await drain(sql, lib, 1, 16);
        s[lib].one.push(one.rate);
        if (lib === 'baton') events.push(one.eventsPerTask);
        if (one.done < TASKS) console.error(`${LIBS[lib].label}: drained ${one.done} of ${TASKS} in the time cap`);
      }
      for (const lib of rotated(r)) s[lib].two.push((await drain(sql, lib, 2, 8)).rate);
      for (const lib of rotated(r)) s[lib].lat.push(await pickup(sql, lib));
      for (const lib of rotated(r)) s[lib].add.push(await addRate(sql, lib));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const lat = (lib, p) => s[lib].lat.map((l) => l[p]);
  const batonP50 = median(lat('baton', 'p50'));
  console.log(
    '\nBaton writes a full audit event per change (a claimed and a completed event per drained task, ' +
      'in the same transaction); graphile-worker deletes finished jobs and pg-boss keeps only the job row. ' +
      `pg-boss: ${PGBOSS_BATCH} jobs per fetch per loop, polling every 0.5 s; graphile-worker: local queue 4 × concurrency, batched completions; ` +
      'Baton: prefetch = concurrency, completions grouped per transaction.',
  );
  return {
    section: 'PostgreSQL: Baton vs graphile-worker vs pg-boss (same database, interleaved)',
    runs: RUNS,
    results: [
      ...peerRows(`drain ${TASKS}, 1 process × 16`, 'tasks/s', (lib) => s[lib].one),
      ratioRow('drain 1×16: Baton / faster peer', (lib) => s[lib].one, 1.5),
      ...peerRows(`drain ${TASKS}, 2 processes × 8`, 'tasks/s', (lib) => s[lib].two),
      ratioRow('drain 2×8: Baton / faster peer', (lib) => s[lib].two, 1.5),
      ...ORDER.flatMap((lib) =>
        ['p50', 'p95', 'p99'].map((p) => ({
          name: `pickup ${p}: ${LIBS[lib].label}`,
          value: median(lat(lib, p)),
          unit: 'ms',
          target: lib === 'baton' && p === 'p50' ? '<= 5' : '-',
          ok: lib === 'baton' && p === 'p50' ? batonP50 <= 5 : true,
          samples: lat(lib, p),
        })),
      ),
      ratioRow('pickup p50: Baton / fastest peer (lower is better)', (lib) => lat(lib, 'p50'), undefined, false),
      ...peerRows('single add', 'adds/s', (lib) => s[lib].add),
      ratioRow('single add: Baton / faster peer', (lib) => s[lib].add),
      {
        name: 'audit events per drained task (Baton; peers write none)',
        value: median(events),
        unit: 'events',
        target: '>= 2',
        ok: median(events) >= 2,
        samples: events,
      },
    ],
  };
}

if (process.env[CHILD_ENV]) await child(JSON.parse(process.env[CHILD_ENV]));
