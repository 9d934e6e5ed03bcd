// Operations benchmark: backup time and size for 100,000 tasks (SQLite and PostgreSQL), and claim
// latency while the retention clean-up removes 1,000,000 old events (SQLite), against the same
// claims with no clean-up running. Medians of BENCH_RUNS (3).
// Settings: BENCH_RUNS, BENCH_OPS_TASKS (100,000), BENCH_OPS_EVENTS (1,000,000), BATON_BENCH_PG.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, DIST, median, openFresh, percentile, queuedDump } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_OPS_TASKS ?? 100_000);
const EVENTS = Number(process.env.BENCH_OPS_EVENTS ?? 1_000_000);
const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DAY = 86_400_000;

/** `n` tasks, a quarter completed, each with its `created` event (and a completion for the completed). */
async function busyDump(n) {
  const dump = await queuedDump(n);
  const at = new Date().toISOString();
  let id = 0;
  dump.tasks.forEach((t, i) => {
    dump.events.push({ id: ++id, taskId: t.id, workerId: null, actor: 'bench', type: 'created', at, changes: {}, data: null });
    if (i % 4 === 0) {
      Object.assign(t, { status: 'completed', progress: 100, assignee: 'w1', attempts: 1, leaseToken: 1, completedAt: at });
      dump.events.push({
        id: ++id,
        taskId: t.id,
        workerId: 'w1',
        actor: 'w1',
        type: 'completed',
        at,
        changes: { status: ['executing', 'completed'] },
        data: null,
      });
    }
  });
  return dump;
}

async function backupOnce(kind) {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  if (kind === 'sqlite') {
    const fresh = await openFresh();
    try {
      await fresh.baton.importData(await busyDump(TASKS));
      const r = await fresh.baton.backup({ file: join(fresh.dir, 'backup.db') });
      return { ms: r.ms, bytes: r.bytes };
    } finally {
      await fresh.baton.close();
      fresh.cleanup();
    }
  }
  const schema = `bench_ops_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const fresh = await openFresh();
  const baton = await openBaton({ db: url.href, create: true, actor: 'bench', cwd: fresh.dir });
  try {
    await baton.importData(await busyDump(TASKS));
    const r = await baton.backup({ file: join(fresh.dir, 'backup.ndjson') });
    return { ms: r.ms, bytes: r.bytes };
  } finally {
    await baton.close();
    const { default: postgres } = await import('postgres');
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    fresh.cleanup();
  }
}

/**
 * A store with `EVENTS` events 200 days old (of 10,000 tasks completed then) and 50,000 queued
 * tasks; retention removes events older than 90 days. Claims and completes for `seconds`, with or
 * without `baton gc` running in another process, and returns each cycle's latency.
 */
async function claimsDuringGc(withGc) {
  const fresh = await openFresh();
  writeFileSync(join(fresh.dir, 'config.yaml'), 'retention: { events: 90d }\n');
  const old = new Date(Date.now() - 200 * DAY).toISOString();
  const dump = await queuedDump(60_000);
  const perTask = Math.ceil(EVENTS / 10_000);
  let id = 0;
  for (const t of dump.tasks.slice(0, 10_000)) {
    Object.assign(t, { status: 'completed', progress: 100, assignee: 'w1', attempts: 1, leaseToken: 1 });
    Object.assign(t, { createdAt: old, updatedAt: old, startedAt: old, completedAt: old, readyAt: old });
    for (let k = 0; k < perTask; k++) {
      dump.events.push({
        id: ++id,
        taskId: t.id,
        workerId: 'w1',
        actor: 'w1',
        type: 'progress',
        at: old,
        changes: {},
        data: { percent: k },
      });
    }
  }
  await fresh.baton.importData(dump);
  await fresh.baton.close();
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db: fresh.db, actor: 'bench' });
  let gc = null;
  let gcDone = Promise.resolve(null);
  if (withGc) {
    gc = spawn(process.execPath, [CLI, 'gc', '--db', fresh.db, '--json'], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    gc.stdout.on('data', (d) => {
      out += d;
    });
    gcDone = new Promise((resolve) => gc.on('exit', () => resolve(out ? JSON.parse(out) : null)));
  }
  const latencies = [];
  const t0 = performance.now();
  let finished = false;
  void gcDone.then(() => {
    finished = true;
  });
  // While the clean-up runs (or for 5 s without one), one claim and one completion at a time.
  while (withGc ? !finished : performance.now() - t0 < 5_000) {
    let start = performance.now();
    let task = await baton.claim({ workerId: 'w1' });
    if (!task) {
      // The queue ran dry before the clean-up ended: more work, outside the timed cycles.
      for (let k = 0; k < 5_000; k++) await baton.createTask({ title: `more work ${k}` });
      start = performance.now();
      task = await baton.claim({ workerId: 'w1' });
    }
    await baton.complete(task.id, { workerId: 'w1', token: task.lease.token });
    latencies.push(performance.now() - start);
    // A worker does I/O between tasks; without a turn of the event loop this one would never see
    // the clean-up process exit.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const report = await gcDone;
  await baton.close();
  fresh.cleanup();
  return { latencies, report, seconds: (performance.now() - t0) / 1000 };
}

export async function run() {
  const results = [];
  for (const kind of ['sqlite', 'postgres']) {
    const samples = [];
    for (let r = 0; r < RUNS; r++) {
      samples.push(await backupOnce(kind));
      console.error(`operations: backup ${kind} run ${r + 1}: ${JSON.stringify(samples.at(-1))}`);
    }
    results.push(
      {
        name: `backup of ${TASKS.toLocaleString('en')} tasks, ${kind}: time`,
        value: median(samples.map((s) => s.ms)),
        unit: 'ms',
        target: 'report',
        ok: true,
        samples,
      },
      {
        name: `backup of ${TASKS.toLocaleString('en')} tasks, ${kind}: size`,
        value: median(samples.map((s) => s.bytes)) / 1e6,
        unit: 'MB',
        target: 'report',
        ok: true,
      },
    );
  }
  const base = [];
  const during = [];
  const reports = [];
  for (let r = 0; r < RUNS; r++) {
    base.push(await claimsDuringGc(false));
    const g = await claimsDuringGc(true);
    during.push(g);
    reports.push(g.report);
    console.error(`operations: claims during gc run ${r + 1}: ${g.latencies.length} cycles in ${g.seconds.toFixed(1)} s`);
  }
  const p = (runs, q) => median(runs.map((x) => percentile(x.latencies, q)));
  results.push(
    { name: 'claim+complete p50, no clean-up', value: p(base, 50), unit: 'ms', target: 'report', ok: true },
    { name: 'claim+complete p99, no clean-up', value: p(base, 99), unit: 'ms', target: 'report', ok: true },
    {
      name: `claim+complete p50, while gc removes ${EVENTS.toLocaleString('en')} events`,
      value: p(during, 50),
      unit: 'ms',
      target: 'report',
      ok: true,
    },
    { name: 'claim+complete p99, while gc runs', value: p(during, 99), unit: 'ms', target: 'report', ok: true },
    {
      name: 'claim+complete max, while gc runs',
      value: median(during.map((x) => Math.max(...x.latencies))),
      unit: 'ms',
      target: 'report',
      ok: true,
    },
    {
      name: 'gc: events removed',
      value: median(reports.map((x) => x?.events.removed ?? 0)),
      unit: 'events',
      target: 'report',
      ok: true,
    },
    { name: 'gc: time', value: median(reports.map((x) => x?.ms ?? 0)) / 1000, unit: 's', target: 'report', ok: true },
  );
  return { section: 'operations: backups and retention', runs: RUNS, results };
}
