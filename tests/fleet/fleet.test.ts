import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolStatus } from '../../src/app/baton.js';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { BIN, cliAsync } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';
import { waitFor } from '../worker/helpers.js';

/**
 * Fleets and circuit breakers with real processes: `baton fleet FILE` supervising `baton worker`
 * members, and a `baton worker --breaker` whose command always fails.
 */

interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

let started: Running[] = [];
let memberPids: number[] = [];
let opened: { baton: LocalBaton; store: TestStore }[] = [];

afterEach(async () => {
  for (const r of started) r.child.kill('SIGKILL');
  for (const pid of memberPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already, as it should be.
    }
  }
  await Promise.all(started.map((r) => r.exited));
  for (const { baton, store } of opened) {
    await baton.close();
    await store.remove();
  }
  started = [];
  memberPids = [];
  opened = [];
});

function run(store: TestStore, args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args, '--db', store.db], { cwd: store.cwd, env: childEnv() });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running = { child, output: () => out, exited };
  started.push(running);
  return running;
}

async function fresh(backend: typeof sqliteBackend, config: Record<string, unknown> = {}) {
  const store = await backend.fresh();
  store.configure(config);
  const baton = await openBaton({ db: store.db });
  opened.push({ baton, store });
  return { store, baton };
}

/** The pool as its supervisor last reported it; remembers its members' pids for the clean-up. */
async function pool(baton: LocalBaton, name: string): Promise<PoolStatus | undefined> {
  const found = (await baton.fleetStatus()).find((p) => p.name === name);
  for (const m of found?.members ?? []) if (m.pid !== null && !memberPids.includes(m.pid)) memberPids.push(m.pid);
  return found;
}

const live = (p: PoolStatus | undefined) => p?.members.filter((m) => m.state === 'running').length ?? 0;

describe.each([sqliteBackend, postgresBackend])('fleets on $name', (backend) => {
  it('a pool grows from 1 to its max of 4 under a backlog it can serve, never counting work it cannot, then shrinks to 1 when idle', async () => {
    const { store, baton } = await fresh(backend);
    for (let i = 0; i < 40; i++) await baton.createTask({ title: `ts ${i}`, capabilities: ['typescript'], noBreakdown: true });
    for (let i = 0; i < 10; i++) await baton.createTask({ title: `py ${i}`, capabilities: ['python'], noBreakdown: true });
    const file = join(store.cwd, 'fleet.yaml');
    writeFileSync(
      file,
      `tick: 200ms
pools:
  - name: agents
    capabilities: [typescript]
    exec: 'sleep 0.4'
    min: 1
    max: 4
    grace: 1s
    scale: { up_when: { ready_per_worker: 2, for: 0s }, down_when: { idle_for: 2s }, step: 2, cooldown: 0s }
`,
    );
    const fleet = run(store, ['fleet', file]);
    let most = 0;
    let mostReady = 0;
    await waitFor(
      'the 40 typescript tasks done',
      async () => {
        const p = await pool(baton, 'agents');
        most = Math.max(most, live(p));
        mostReady = Math.max(mostReady, p?.ready ?? 0);
        return (await baton.status()).tasks.byStatus.completed === 40;
      },
      90_000,
    );
    expect(most).toBe(4);
    // The python tasks were never counted, and nobody took them.
    expect(mostReady).toBeLessThanOrEqual(40);
    expect((await baton.status()).tasks.byStatus.queued).toBe(10);
    const shrunk = await waitFor(
      'the pool back to 1',
      async () => {
        const p = await pool(baton, 'agents');
        return p && p.members.length === 1 && p.target === 1 ? p : null;
      },
      30_000,
    );
    expect(shrunk.reason).toMatch(/scaled down: \d+ idle/);
    // A scaled-down member said goodbye (graceful stop), it did not just vanish.
    const stopped = (await baton.listWorkers()).filter((w) => w.state === 'stopped').map((w) => w.id);
    expect(stopped.length).toBeGreaterThanOrEqual(3);

    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
    expect(await baton.fleetStatus()).toEqual([]);
  }, 120_000);
});

describe('fleet: crashes', () => {
  it('a member killed with SIGKILL is started again and its task recovered; a crash-looping pool is marked degraded', async () => {
    const { store, baton } = await fresh(sqliteBackend, { heartbeatTimeout: 3 });
    const file = join(store.cwd, 'fleet.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        tick: '200ms',
        restart: { backoff: '100ms', max_backoff: '500ms', degraded_after: 3, window: '1m' },
        pools: [{ name: 'crashy', capabilities: ['shell'], exec: 'sleep 1', min: 1, max: 1, lease: '2s' }],
      }),
    );
    run(store, ['fleet', file]);
    const task = await baton.createTask({ title: 'survives a crash', capabilities: ['shell'], noBreakdown: true });
    const holder = await waitFor('the member to take the task', async () => {
      const t = await baton.getTask(task.id);
      const p = await pool(baton, 'crashy');
      return t.status === 'executing' && p?.members[0]?.pid ? p.members[0] : null;
    });
    process.kill(holder.pid as number, 'SIGKILL');
    const restarted = await waitFor('the member started again', async () => {
      const m = (await pool(baton, 'crashy'))?.members[0];
      return m && m.pid !== holder.pid && m.state === 'running' && m.restarts === 1 ? m : null;
    });
    expect(restarted.workerId).toBe(holder.workerId);
    await waitFor('the task recovered and done', async () => (await baton.getTask(task.id)).status === 'completed', 30_000);

    // Two more deaths inside the window: the pool crash-loops.
    for (let kill = 2; kill <= 3; kill++) {
      const m = await waitFor('a running member', async () => {
        const found = (await pool(baton, 'crashy'))?.members[0];
        return found?.state === 'running' && found.pid && found.restarts === kill - 1 ? found : null;
      });
      process.kill(m.pid as number, 'SIGKILL');
    }
    const degraded = await waitFor('the pool degraded', async () => {
      const p = await pool(baton, 'crashy');
      return p?.degraded ? p : null;
    });
    expect(degraded.degradedReason).toMatch(/3 crashes/);
    expect((await baton.events({ limit: 1000 })).map((e) => e.type)).toContain('fleet_pool_degraded');
  }, 90_000);
});

describe('serve --fleet', () => {
  it('the server runs the pools beside it and stops their members with it', async () => {
    const { store, baton } = await fresh(sqliteBackend);
    const file = join(store.cwd, 'fleet.yaml');
    writeFileSync(file, 'tick: 200ms\npools:\n  - { name: shell, capabilities: [shell], min: 2, max: 2 }\n');
    const server = run(store, ['serve', '--port', '0', '--fleet', file]);
    await waitFor(
      'two members registered',
      async () => {
        const p = await pool(baton, 'shell');
        const online = (await baton.listWorkers()).filter((w) => w.online && w.id.startsWith('shell-'));
        return live(p) === 2 && online.length === 2;
      },
      30_000,
    );
    // From another terminal: `baton fleet status`, as JSON and for people.
    const asJson = await cliAsync(store.cwd, ['fleet', 'status', '--json', '--db', store.db]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject([{ name: 'shell', min: 2, max: 2, target: 2, degraded: false }]);
    const human = await cliAsync(store.cwd, ['fleet', 'status', '--db', store.db]);
    expect(human.stdout).toMatch(/shell\s+healthy\s+members 2\/2/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await baton.fleetStatus()).toEqual([]);
    expect((await baton.listWorkers()).filter((w) => w.online)).toEqual([]);
  }, 60_000);
});

describe('fleet: in config.yaml', () => {
  it('serve runs the fleet file the config names (from .baton/), whose pool serves only its queues', async () => {
    const { store, baton } = await fresh(sqliteBackend, { fleet: 'fleet.yaml' });
    writeFileSync(
      join(store.cwd, 'fleet.yaml'),
      "tick: 200ms\npools: [{ name: cfg, queues: [deploy], exec: 'true', min: 1, max: 1 }]\n",
    );
    // Created first, so a member serving every queue would take it first.
    const other = await baton.createTask({ title: 'elsewhere', noBreakdown: true });
    const mine = await baton.createTask({ title: 'ship it', queue: 'deploy', noBreakdown: true });
    const server = run(store, ['serve', '--port', '0']);
    await waitFor(
      'the deploy task done by the pool',
      async () => {
        const p = await pool(baton, 'cfg');
        return p?.queues?.[0] === 'deploy' && (await baton.getTask(mine.id)).status === 'completed';
      },
      30_000,
    );
    const done = (await baton.events({ limit: 1000 })).find((e) => e.taskId === mine.id && e.type === 'completed');
    expect(done?.workerId).toBe('cfg-1');
    expect((await baton.getTask(other.id)).status).toBe('queued');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await baton.fleetStatus()).toEqual([]);
  }, 60_000);

  it('refuses a bad inline fleet when serve starts; --fleet wins over the config', async () => {
    const { store } = await fresh(sqliteBackend, { fleet: { pools: [{ name: 'a', min: 3, max: 2 }] } });
    const bad = await cliAsync(store.cwd, ['serve', '--port', '0', '--db', store.db]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toMatch(/fleet.*max must be at least min/);
    const flag = await cliAsync(store.cwd, ['serve', '--port', '0', '--db', store.db, '--fleet', join(store.cwd, 'none.yaml')]);
    expect(flag.code).not.toBe(0);
    expect(flag.stderr + flag.stdout).toMatch(/none\.yaml/);
  }, 30_000);
});

describe.each([sqliteBackend, postgresBackend])('circuit breaker on $name', (backend) => {
  it('a worker whose command always fails stops after 5 failures; the rest keep their retries for a healthy worker; half-open probe; success closes it', async () => {
    const { store, baton } = await fresh(backend, { retry: { policy: 'immediate' }, maxRetries: 3 });
    for (let i = 0; i < 40; i++) await baton.createTask({ title: `job ${i}`, noBreakdown: true });
    run(store, ['worker', 'flaky', '--exec', 'test -f healthy', '--breaker', '5,4s']);
    const open = await waitFor(
      'the breaker open',
      async () => {
        const w = (await baton.listWorkers()).find((v) => v.id === 'flaky');
        return w?.breaker?.mode === 'open' ? w.breaker : null;
      },
      30_000,
    );
    expect(open.reason).toBe('5 attempts failed in a row');
    const listed = await cliAsync(store.cwd, ['workers', '--db', store.db]);
    expect(listed.stdout).toMatch(/flaky.*open until/);
    await new Promise((r) => setTimeout(r, 500));
    const tasks = (await baton.listTasks({ limit: 100 })).tasks;
    expect(tasks.reduce((n, t) => n + t.retries, 0)).toBe(5);
    expect(tasks.filter((t) => t.retries > 0)).toHaveLength(5);
    // An attempt already claimed as the breaker tripped may have run too, uncharged; the queue was not burnt through.
    expect(tasks.filter((t) => t.attempts === 0).length).toBeGreaterThanOrEqual(33);

    // A healthy worker completes the rest, the five retried ones too, without charging anything more.
    const steady = run(store, ['worker', 'steady', '--exec', 'true']);
    await waitFor('every task done', async () => (await baton.status()).tasks.byStatus.completed === 40, 60_000);
    const after = (await baton.listTasks({ limit: 100 })).tasks;
    expect(after.reduce((n, t) => n + t.retries, 0)).toBe(5);
    steady.child.kill('SIGTERM');
    expect(await steady.exited).toBe(0);

    // The command is mended: after the cool-down, one probe claim succeeds and closes the breaker.
    writeFileSync(join(store.cwd, 'healthy'), '');
    for (let i = 0; i < 3; i++) await baton.createTask({ title: `later ${i}`, noBreakdown: true });
    await waitFor(
      'the later tasks done by the mended worker',
      async () => (await baton.status()).tasks.byStatus.completed === 43,
      30_000,
    );
    const types = (await baton.events({ limit: 1000 })).map((e) => e.type);
    // A probe that ran before the mend failed and opened it again, uncharged: still 5 retries in all.
    expect(types).toContain('breaker_opened');
    expect((await baton.listTasks({ limit: 100 })).tasks.reduce((n, t) => n + t.retries, 0)).toBe(5);
    expect(types).toContain('breaker_half_open');
    expect(types).toContain('breaker_closed');
    const flaky = (await baton.listWorkers()).find((v) => v.id === 'flaky');
    expect(flaky?.breaker).toMatchObject({ mode: 'closed', consecutive: 0 });
  }, 90_000);
});
