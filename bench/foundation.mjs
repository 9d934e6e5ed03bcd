// Embedded SQLite benchmarks of the foundation: claim+complete throughput (1 and 4 processes),
// `next` latency at 100,000 queued tasks, and whole-command wall times of the CLI.
import { spawn } from 'node:child_process';
import { DIST, median, openFresh, percentile, queuedDump, wallTime } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function cyclesOneProcess(n) {
  const { baton, cleanup } = await openFresh();
  await baton.importData(await queuedDump(n));
  const start = performance.now();
  let done = 0;
  for (;;) {
    const task = await baton.claim({ workerId: 'w1' });
    if (!task) break;
    await baton.complete(task.id, { workerId: 'w1', token: task.lease.token });
    done++;
  }
  const seconds = (performance.now() - start) / 1000;
  await baton.close();
  cleanup();
  return done / seconds;
}

/** The same cycles from `loops` concurrent loops in one process: their transactions share commits. */
async function cyclesConcurrent(n, loops) {
  const { baton, cleanup } = await openFresh();
  await baton.importData(await queuedDump(n));
  const start = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      for (;;) {
        const task = await baton.claim({ workerId: `w${i}` });
        if (!task) break;
        await baton.complete(task.id, { workerId: `w${i}`, token: task.lease.token });
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await baton.close();
  cleanup();
  return done / seconds;
}

const CHILD = `
const { openBaton } = await import(process.argv[1]);
const baton = await openBaton({ db: process.argv[2] });
const w = process.argv[3];
let n = 0;
process.stdout.write('ready\\n');
await new Promise((r) => process.stdin.once('data', r));
for (;;) {
  const t = await baton.claim({ workerId: w });
  if (!t) break;
  await baton.complete(t.id, { workerId: w, token: t.lease.token });
  n++;
}
await baton.close();
process.stdout.write(JSON.stringify({ n }) + '\\n');
`;

async function cyclesProcesses(n, procs) {
  const { baton, db, cleanup } = await openFresh();
  await baton.importData(await queuedDump(n));
  const children = Array.from({ length: procs }, (_, i) =>
    spawn(process.execPath, ['--input-type=module', '-e', CHILD, new URL('app/open.js', DIST).href, db, `w${i}`], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((c) => {
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    return {
      ready: new Promise((r) => c.stdout.once('data', r)),
      done: new Promise((r) => c.on('close', (code) => r({ code, out }))),
    };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const start = performance.now();
  for (const c of children) c.stdin.end('go\n'); // EOF too: a child holding stdin open would never exit
  const results = await Promise.all(outputs.map((o) => o.done));
  const seconds = (performance.now() - start) / 1000;
  const events = await baton.events({});
  const completions = new Map();
  for (const e of events) if (e.type === 'completed') completions.set(e.taskId, (completions.get(e.taskId) ?? 0) + 1);
  const duplicates = [...completions.values()].filter((c) => c > 1).length;
  const failedProcs = results.filter((r) => r.code !== 0).length;
  await baton.close();
  cleanup();
  return { rate: completions.size / seconds, duplicates, missing: n - completions.size, failedProcs };
}

async function nextLatency(queued, samples) {
  const { baton, db, cleanup } = await openFresh();
  await baton.importData(await queuedDump(queued));
  const times = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await baton.claim({ workerId: 'w1' });
    times.push(performance.now() - t0);
  }
  await baton.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99), db, cleanup };
}

export async function run() {
  const one = [];
  const sixteen = [];
  const four = [];
  const p99 = [];
  const p50 = [];
  const listMs = [];
  const versionMs = [];
  for (let r = 0; r < RUNS; r++) {
    one.push(await cyclesOneProcess(20_000));
    sixteen.push(await cyclesConcurrent(20_000, 16));
    four.push(await cyclesProcesses(20_000, 4));
    const lat = await nextLatency(100_000, 2_000);
    p99.push(lat.p99);
    p50.push(lat.p50);
    listMs.push(wallTime(['list', '--limit', '50'], lat.db));
    versionMs.push(wallTime(['--version']));
    lat.cleanup();
  }
  const dupes = four.reduce((a, f) => a + f.duplicates + f.missing + f.failedProcs, 0);
  return {
    section: 'foundation (embedded SQLite)',
    runs: RUNS,
    results: [
      {
        name: 'claim+complete, 1 process, one loop (sequential)',
        value: median(one),
        unit: 'cycles/s',
        target: '>= 4000',
        ok: median(one) >= 4_000,
        samples: one,
      },
      {
        name: 'claim+complete, 1 process, 16 concurrent loops',
        value: median(sixteen),
        unit: 'cycles/s',
        target: '>= 10000',
        ok: median(sixteen) >= 10_000,
        samples: sixteen,
      },
      {
        name: 'claim+complete, 4 processes, one file',
        value: median(four.map((f) => f.rate)),
        unit: 'cycles/s',
        target: '>= 5000, 0 duplicates',
        ok: median(four.map((f) => f.rate)) >= 5_000 && dupes === 0,
        samples: four,
      },
      { name: 'next at 100,000 queued, p50', value: median(p50), unit: 'ms', target: '-', ok: true, samples: p50 },
      { name: 'next at 100,000 queued, p99', value: median(p99), unit: 'ms', target: '<= 5', ok: median(p99) <= 5, samples: p99 },
      {
        name: '`baton list --limit 50` (100,000 tasks)',
        value: median(listMs),
        unit: 'ms wall',
        target: '<= 150',
        ok: median(listMs) <= 150,
        samples: listMs,
      },
      {
        name: '`baton --version`',
        value: median(versionMs),
        unit: 'ms wall',
        target: '<= 120',
        ok: median(versionMs) <= 120,
        samples: versionMs,
      },
    ],
  };
}
