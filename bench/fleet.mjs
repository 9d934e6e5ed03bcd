// Fleet benchmark: how long the scaling decision takes (core/fleet.ts decideScale, 100 members),
// how long one supervisor tick takes with 100 pooled members over SQLite (read the ready work per
// capability set and the workers, decide every pool, write the report), and the memory of one
// member process (`baton worker`, resident set). Targets: a decision ≤ 0.1 ms, a tick ≤ 50 ms.
// Settings: BENCH_RUNS, BENCH_FLEET_TASKS.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { childEnv, DIST, median, openFresh, queuedDump } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_FLEET_TASKS ?? 10_000);
const MEMBERS = 100;
const POOLS = 4;

/** A stand-in for a member process: the tick's own cost is measured, not 100 Node processes'. */
function fakeChild(pid) {
  const child = new EventEmitter();
  child.pid = pid;
  child.exitCode = null;
  child.signalCode = null;
  child.kill = () => {
    child.exitCode = 0;
    queueMicrotask(() => child.emit('exit', 0, null));
    return true;
  };
  return child;
}

function decisionMicros(decideScale) {
  const now = Date.now();
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ id: `m-${i}`, idleSinceMs: i % 2 ? now - i * 1000 : null }));
  const rules = { readyPerWorker: 2, upForMs: 30_000, idleForMs: 300_000, step: 2, cooldownMs: 60_000 };
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    decideScale({ now, ready: i % 500, members, min: 1, max: 200, rules, lastScaledAt: null, pressureSince: now - 60_000 });
  }
  return ((performance.now() - t0) / n) * 1000;
}

async function tickMs() {
  const [{ FleetSupervisor }, { systemClock }] = await Promise.all([
    import(new URL('fleet/supervisor.js', DIST)),
    import(new URL('core/clock.js', DIST)),
  ]);
  const fresh = await openFresh();
  try {
    await fresh.baton.importData(await queuedDump(TASKS, { capabilities: ['cap0'] }));
    const per = MEMBERS / POOLS;
    const pool = (i) => ({
      name: `pool${i}`,
      capabilities: [`cap${i}`],
      exec: undefined,
      min: per,
      max: per,
      concurrency: 1,
      graceMs: 0,
      breaker: null,
      breakerSpec: null,
      leaseMs: undefined,
      scale: { readyPerWorker: 2, upForMs: 0, idleForMs: 300_000, step: 2, cooldownMs: 0 },
    });
    const spec = {
      pools: Array.from({ length: POOLS }, (_, i) => pool(i)),
      tickMs: 1000,
      crash: { backoffMs: 1000, maxBackoffMs: 60_000, degradedAfter: 5, windowMs: 60_000 },
    };
    let pid = 100_000;
    const supervisor = new FleetSupervisor({
      baton: fresh.baton,
      spec,
      spawn: () => fakeChild(pid++),
      clock: systemClock,
      id: 'bench:1',
    });
    // The members register as real ones would, so the tick reads 100 workers.
    for (let i = 0; i < POOLS; i++) {
      for (let m = 1; m <= per; m++) await fresh.baton.registerWorker({ id: `pool${i}-${m}`, capabilities: [`cap${i}`] });
    }
    await supervisor.tick();
    const ms = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await supervisor.tick();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  } finally {
    await fresh.baton.close();
    fresh.cleanup();
  }
}

/** Resident memory of one idle `baton worker` process, in MB. */
async function memberRssMb() {
  const fresh = await openFresh();
  await fresh.baton.close();
  const child = spawn(process.execPath, [new URL('cli/main.js', DIST).pathname, 'worker', 'bench-member', '--db', fresh.db], {
    env: childEnv(),
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } finally {
    child.kill('SIGKILL');
    fresh.cleanup();
  }
}

export async function run() {
  const { decideScale } = await import(new URL('core/fleet.js', DIST));
  const decisions = [];
  const ticks = [];
  const rss = [];
  for (let r = 0; r < RUNS; r++) {
    decisions.push(decisionMicros(decideScale));
    ticks.push(await tickMs());
    rss.push(await memberRssMb());
  }
  const result = (name, samples, unit, target, ok) => ({
    name,
    value: median(samples),
    unit,
    target,
    ok: ok(median(samples)),
    samples,
  });
  return {
    section: `fleet (${MEMBERS} members in ${POOLS} pools, ${TASKS.toLocaleString('en')} ready tasks)`,
    runs: RUNS,
    results: [
      result('scaling decision, 100 members', decisions, 'µs', '<= 100', (v) => v <= 100),
      result('supervisor tick, 100 members (SQLite)', ticks, 'ms', '<= 50', (v) => v <= 50),
      result(
        'tick cost per member',
        ticks.map((t) => t / MEMBERS),
        'ms',
        '<= 0.5',
        (v) => v <= 0.5,
      ),
      result('memory of one member process (RSS)', rss, 'MB', '<= 150', (v) => v <= 150),
    ],
  };
}
