// Workflow benchmark on PostgreSQL: 1,000 runs of a 5-step workflow with no-op steps, started at
// once and drained by the JS-handler worker (one process, concurrency 16), against the same work as
// plain tasks — 1,000 chains of 5 tasks, each depending on the one before — drained the same way.
// Reports steps per second for each, and the overhead a workflow step costs over a plain task.
// Each run and each chain is sequential, so both measure the same shape: 5,000 claims and
// completions, each of which makes the next one ready.
// Settings: BATON_BENCH_PG (database URL), BENCH_RUNS, BENCH_WF_RUNS, BENCH_WF_CONCURRENCY.
import { randomBytes } from 'node:crypto';
import { DIST, median } from './lib.mjs';

const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WF_RUNS = Number(process.env.BENCH_WF_RUNS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_WF_CONCURRENCY ?? 16);
const STEPS = 5;

const FIVE_STEPS = `name: five
steps:
${Array.from(
  { length: STEPS },
  (_, i) => `  - id: s${i + 1}\n${i > 0 ? `    needs: [s${i}]\n` : ''}    task: { title: "Step ${i + 1}" }`,
).join('\n')}
`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshSchema() {
  const schema = `bench_wf_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const { default: postgres } = await import('postgres');
  return {
    url: url.href,
    async drop() {
      const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Starts `total` things with at most 16 in flight; resolves when all are started. */
async function startAll(total, start) {
  let next = 0;
  const lane = async () => {
    while (next < total) await start(next++);
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

/** Drains with a JS-handler worker until `done()` says so; returns the seconds it took. */
async function drain(baton, done) {
  const { work } = await import(new URL('index.js', DIST));
  const t0 = performance.now();
  const worker = work(baton, { concurrency: CONCURRENCY, handler: async () => ({ ok: true }) });
  while (!(await done())) await sleep(50);
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  return seconds;
}

async function workflowRun() {
  const db = await freshSchema();
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db: db.url, actor: 'bench', create: true });
  try {
    await baton.addWorkflow(FIVE_STEPS);
    const t0 = performance.now();
    await startAll(WF_RUNS, () => baton.startRun('five'));
    const startSeconds = (performance.now() - t0) / 1000;
    const seconds = await drain(baton, async () => {
      const counts = await baton.countTasks({});
      return counts.byStatus.completed >= WF_RUNS * (STEPS + 1);
    });
    const runs = await baton.listRuns({ status: 'running' });
    if (runs.length > 0) throw new Error(`${runs.length} runs still running after their tasks completed`);
    return { seconds, startSeconds };
  } finally {
    await baton.close();
    await db.drop();
  }
}

async function chainRun() {
  const db = await freshSchema();
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db: db.url, actor: 'bench', create: true });
  try {
    const t0 = performance.now();
    await startAll(WF_RUNS, async () => {
      let prev = null;
      for (let i = 0; i < STEPS; i++) {
        const task = await baton.createTask({
          title: `Step ${i + 1}`,
          noBreakdown: true,
          ...(prev && { dependsOn: [prev.id] }),
        });
        prev = task;
      }
    });
    const startSeconds = (performance.now() - t0) / 1000;
    const seconds = await drain(baton, async () => (await baton.countTasks({})).byStatus.completed >= WF_RUNS * STEPS);
    return { seconds, startSeconds };
  } finally {
    await baton.close();
    await db.drop();
  }
}

export async function run() {
  const wf = [];
  const plain = [];
  for (let r = 0; r < RUNS; r++) {
    // Alternated within each run, so load from elsewhere on the machine hits both alike.
    wf.push(await workflowRun());
    plain.push(await chainRun());
  }
  const steps = WF_RUNS * STEPS;
  const wfRate = median(wf.map((x) => steps / x.seconds));
  const plainRate = median(plain.map((x) => steps / x.seconds));
  const overheadMs = median(wf.map((x, i) => ((x.seconds - (plain[i]?.seconds ?? 0)) / steps) * 1000 * CONCURRENCY));
  return {
    section: `workflows on PostgreSQL (${WF_RUNS.toLocaleString('en')} concurrent runs × ${STEPS} no-op steps, worker concurrency ${CONCURRENCY})`,
    runs: RUNS,
    results: [
      { name: 'workflow steps drained', value: wfRate, unit: 'steps/s', target: 'report', ok: true, samples: wf },
      { name: 'plain chained tasks drained', value: plainRate, unit: 'tasks/s', target: 'report', ok: true, samples: plain },
      {
        name: 'start 1 run (median over the batch)',
        value: median(wf.map((x) => (x.startSeconds / WF_RUNS) * 1000 * 16)),
        unit: 'ms',
        target: 'report',
        ok: true,
      },
      {
        name: 'overhead per step vs a plain task (per worker slot)',
        value: overheadMs,
        unit: 'ms',
        target: 'report',
        ok: true,
      },
    ],
  };
}
