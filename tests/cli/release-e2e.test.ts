import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../src/app/baton.js';
import type { Task, TaskEvent } from '../../src/core/types.js';
import type { StepState, WorkflowRun } from '../../src/core/workflow/run.js';
import { childEnv } from '../helpers/sealed.js';
import { postgresBackend, type StoreBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';
import { exited, startBaton } from '../server/spawn.js';
import { BIN, type CliResult, cliAsync } from './run-cli.js';

/**
 * The documented release workflow, end to end, as a team runs it: a real `baton serve` over each
 * store, two real `baton worker` processes whose command decides each task's outcome, and every
 * action through the CLI. Four releases run at once — one approved through to a healthy check, one
 * whose tests fail over to the rollback sub-workflow, one rejected, one never healthy — next to a
 * release started by an event trigger and a workflow fired by a cron every second; the server is
 * killed with SIGKILL while the approvals wait, and the restarted one carries every run to its end.
 */

const SERVING = /Baton is serving (http:\/\/\S+)/;
const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../docs/examples/release.yaml'), 'utf8');

/** The example as written, with a wait and a loop a test can sit through. */
function shortened(source: string): string {
  let out = source;
  for (const [from, to] of [
    ['wait: { duration: 10m }', 'wait: { duration: 1s }'],
    ['max: 10, every: 1m', 'max: 3, every: 200ms'],
  ] as const) {
    if (!out.includes(from)) throw new Error(`the release example no longer says "${from}"`);
    out = out.replace(from, to);
  }
  return out;
}

const ROLLBACK = `name: rollback
params:
  version: { type: string, required: true }
steps:
  - id: revert
    task: { title: "Revert \${{ params.version }}", capabilities: [ops] }
`;
const TICK = `name: tick
steps:
  - id: beat
    task: { title: Tick, capabilities: [ops] }
triggers:
  - cron: "* * * * * *"
`;
/** The same workflow without its trigger: registering it stops the firing. */
const TICK_OFF = 'name: tick\nsteps:\n  - id: beat\n    task: { title: Tick, capabilities: [ops] }\n';

/**
 * What the crew's command does, by the task's title (its last word is the version or target):
 * builds take a second; the tests of 2.0.0 fail; a version is healthy from its third check,
 * except 4.0.0, never; a nightly build reports the version it built.
 */
const AGENT = `last=\${BATON_TASK_TITLE##* }
case "$BATON_TASK_TITLE" in
  "Build "*) sleep 1; echo "::result {\\"built\\": \\"$last\\"}" ;;
  "Test 2.0.0") echo "2 tests failed" >&2; exit 1 ;;
  "Test "*) echo '::result {"passed": true}' ;;
  "Publish "*) echo "::result {\\"published\\": \\"$last\\"}" ;;
  "Check health of "*)
    n=$(( $(cat "tries-$last" 2>/dev/null || echo 0) + 1 )); echo "$n" > "tries-$last"
    healthy=false; if [ "$last" != 4.0.0 ] && [ "$n" -ge 3 ]; then healthy=true; fi
    echo "::result {\\"healthy\\": $healthy, \\"try\\": $n}" ;;
  "Revert "*) echo "::result {\\"reverted\\": \\"$last\\"}" ;;
  "Nightly build "*) echo "::result {\\"version\\": \\"$last\\"}" ;;
  *) echo '::result {"done": true}' ;;
esac
`;

const ms = (iso: string | null | undefined) => Date.parse(iso as string);
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
const statuses = (run: RunDetail) => Object.fromEntries(run.steps.map((s) => [s.id, s.status]));
const stepOf = (run: RunDetail, id: string) => run.steps.find((s) => s.id === id) as StepState;
const tasksOf = (run: RunDetail, step: string) => run.tasks.filter((t) => t.step === step);

function json<T>(what: string, r: CliResult): T {
  if (r.code !== 0) throw new Error(`baton ${what} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * A free port below Linux's ephemeral range (32768–60999): the restarted server listens on the
 * port its workers know, and no outgoing connection of another process can take it meanwhile.
 */
async function steadyPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
}

describe.each<StoreBackend>([sqliteBackend, postgresBackend])('the release example end to end on $name', (backend) => {
  let store: TestStore;
  let dir: string;
  let url: string;
  let server: Spawned;
  const workers: Spawned[] = [];
  /** The four releases: A approved and healthy, B failing its tests, C rejected, D never healthy. */
  const runs: Record<'A' | 'B' | 'C' | 'D', RunDetail> = {} as never;
  let nightly: Task;
  let triggered: RunDetail;
  let tickRuns: number;
  /** The runs as `workflow status` shows them once ended. */
  const finals: Record<'A' | 'C' | 'D' | 'E', RunDetail> = {} as never;

  /** `baton …` against the server, as a user types it. */
  const baton = (...args: string[]) => cliAsync(dir, [...args, '--server', url]);
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${url}/api/v1${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  const runNow = (id: number) => api<RunDetail>(`/runs/${id}`);
  const runsOf = async (name: string) => (await api<{ runs: RunDetail[] }>(`/runs?name=${name}`)).runs;
  const events = async () => (await api<{ events: TaskEvent[] }>('/events/history?limit=10000')).events;
  const status = async (id: number) =>
    json<RunDetail>('workflow status', await baton('workflow', 'status', String(id), '--json'));

  async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    // What the last look saw, for the message should the wait time out.
    let last = 'nothing yet';
    for (;;) {
      const value = await probe().catch((err: unknown) => {
        last = `error: ${err instanceof Error ? err.message : String(err)}`;
        return undefined;
      });
      if (value) return value;
      if (Date.now() > deadline) {
        const logs = workers.map((w) => w.output().split('\n').slice(-15).join('\n')).join('\n---\n');
        const runs = await api<{ runs: RunDetail[] }>('/runs?limit=100')
          .then((r) => r.runs.map((x) => `${x.id} ${x.workflow} ${x.status} ${JSON.stringify(statuses(x))}`).join('\n'))
          .catch((err: unknown) => `cannot list runs: ${String(err)}`);
        throw new Error(
          `timed out waiting for ${what} (last look: ${last})\nruns:\n${runs}\nserver:\n${server.output().slice(-2000)}\nworkers:\n${logs}`,
        );
      }
      await sleep(300);
    }
  }
  /** Until every one of `ids` passes `done`: one listing per look, not a read of each run (which advances it). */
  const allOf = (what: string, ids: number[], done: (run: WorkflowRun) => boolean) =>
    until(`runs ${ids.join(', ')} ${what}`, async () => {
      const seen = new Map((await runsOf('release')).map((r) => [r.id, r]));
      if (ids.every((id) => seen.has(id) && done(seen.get(id) as WorkflowRun))) return true;
      throw new Error(`seen ${ids.map((id) => `${id}: ${seen.get(id)?.status ?? 'missing'}`).join(', ')}`);
    });
  const ended = (...ids: number[]) => allOf('to end', ids, (r) => r.status !== 'running');
  const waitingFor = (...ids: number[]) =>
    allOf('to wait for their approval', ids, (r) => r.steps.find((s) => s.id === 'approve')?.status === 'waiting');

  async function serve(port: number): Promise<void> {
    const s = await startBaton(dir, ['serve', '--db', store.db, '--port', String(port)], SERVING);
    server = { child: s.child, output: s.output };
    url = s.match[1] as string;
  }

  function startWorker(id: string): void {
    const child = spawn(
      process.execPath,
      [BIN, 'worker', id, '--capabilities', 'build,test,release,ops', '--concurrency', '6', '--exec', 'sh agent.sh'],
      { cwd: dir, env: childEnv({ BATON_SERVER: url }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    workers.push({ child, output: () => out });
  }

  beforeAll(async () => {
    store = await backend.fresh();
    // A failed test is final at once (the example's builds keep their own `retry`).
    store.configure({ maxRetries: 0 });
    dir = store.cwd;
    writeFileSync(join(dir, 'release.yaml'), shortened(EXAMPLE));
    writeFileSync(join(dir, 'rollback.yaml'), ROLLBACK);
    writeFileSync(join(dir, 'tick.yaml'), TICK);
    writeFileSync(join(dir, 'agent.sh'), AGENT);
    await serve(await steadyPort());
    const added = await Promise.all(['rollback.yaml', 'release.yaml'].map((file) => baton('workflow', 'add', file, '--json')));
    for (const r of added) json('workflow add', r);
    startWorker('w1');
    startWorker('w2');
  }, 240_000);

  afterAll(async () => {
    for (const p of [...workers.splice(0), server]) {
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) continue;
      p.child.kill('SIGKILL');
      await exited(p.child);
    }
    await store?.remove();
  }, 60_000);

  it('starts four releases at once; the one whose tests fail runs the rollback sub-workflow and fails', async () => {
    const [a, b, c, d, task, tick] = await Promise.all([
      ...['1.0.0', '2.0.0', '3.0.0', '4.0.0'].map((v) =>
        baton('workflow', 'run', 'release', '--param', `version=${v}`, '--json'),
      ),
      baton('add', 'Nightly build 5.0.0', '--tags', 'nightly', '--json'),
      baton('workflow', 'add', 'tick.yaml', '--json'),
    ]);
    runs.A = json('workflow run', a as CliResult);
    runs.B = json('workflow run', b as CliResult);
    runs.C = json('workflow run', c as CliResult);
    runs.D = json('workflow run', d as CliResult);
    nightly = json('add', task as CliResult);
    json('workflow add', tick as CliResult);
    expect(runs.A.params).toEqual({ version: '1.0.0', targets: ['linux', 'macos'] });

    await ended(runs.B.id);
    const subId = tasksOf(await runNow(runs.B.id), 'rollback')[0]?.run as number;
    const [b2, sub] = await Promise.all([status(runs.B.id), status(subId)]);
    expect(b2.status).toBe('failed');
    expect(b2.error).toBe('step test failed: exit code 1: 2 tests failed');
    // The approval's condition did not hold (skipped); the rollback's did (it ran, as on_failure).
    expect(statuses(b2)).toEqual({
      build: 'completed',
      test: 'failed',
      approve: 'skipped',
      publish: 'skipped',
      rollback: 'completed',
      settle: 'skipped',
      poll: 'skipped',
    });
    expect(tasksOf(b2, 'rollback').map((t) => t.run)).toEqual([subId]);
    expect(sub).toMatchObject({ workflow: 'rollback', status: 'completed', params: { version: '2.0.0' } });
    expect(sub.tasks.map((t) => [t.title, t.status])).toEqual([['Revert 2.0.0', 'completed']]);
    expect(stepOf(b2, 'rollback').result).toEqual({ revert: { status: 'completed', result: { reverted: '2.0.0' } } });
  }, 240_000);

  it('fans the builds out in parallel and in again before the tests; the approval then waits', async () => {
    await waitingFor(runs.A.id);
    const a = await runNow(runs.A.id);
    const builds = await Promise.all(tasksOf(a, 'build').map((t) => api<Task>(`/tasks/${t.id}`)));
    expect(builds.map((t) => t.title)).toEqual(['Build 1.0.0 for linux', 'Build 1.0.0 for macos']);
    // Both builds were claimed before either finished; the tests began after both had.
    expect(Math.max(...builds.map((t) => ms(t.startedAt)))).toBeLessThan(Math.min(...builds.map((t) => ms(t.completedAt))));
    expect(ms(stepOf(a, 'test').startedAt)).toBeGreaterThanOrEqual(Math.max(...builds.map((t) => ms(t.completedAt))));
    expect(stepOf(a, 'build').result).toEqual([{ built: 'linux' }, { built: 'macos' }]);
    expect(stepOf(a, 'test').result).toEqual({ passed: true });
  }, 240_000);

  it('an event trigger: completing a nightly build starts a release of the version it reports', async () => {
    triggered = await until('the event trigger to start a release', async () => {
      const found = (await runsOf('release')).find((r) => r.params.version === '5.0.0');
      return found ?? null;
    });
    expect(triggered.params).toEqual({ version: '5.0.0', targets: ['linux', 'macos'] });
    const log = await events();
    const done = log.filter((e) => e.taskId === nightly.id && e.type === 'completed');
    expect(done).toHaveLength(1);
    const started = log.find((e) => e.type === 'run_started' && e.data?.run === triggered.id);
    expect(started?.data?.trigger).toEqual({ kind: 'event', index: 1, event: done[0]?.id });
  }, 240_000);

  it('a cron trigger of every second fires on the running server, until a version without it is registered', async () => {
    const list = async () => json<RunDetail[]>('workflow runs', await baton('workflow', 'runs', '--name', 'tick', '--json'));
    await until('two runs of the cron trigger', async () => (await runsOf('tick')).length >= 2);
    const fired = await list();
    // Each run is the cron's, one per fire time, a second or more apart.
    const ids = new Set(fired.map((r) => r.id));
    const starts = (await events()).filter((e) => e.type === 'run_started' && ids.has(e.data?.run as number));
    expect(starts).toHaveLength(fired.length);
    for (const e of starts) expect(e.data?.trigger).toMatchObject({ kind: 'cron', index: 0, cron: '* * * * * *' });
    const scheduled = starts.map((e) => ms((e.data as { trigger: { scheduledAt: string } }).trigger.scheduledAt));
    for (let i = 1; i < scheduled.length; i++) expect(scheduled[i]).toBeGreaterThanOrEqual((scheduled[i - 1] as number) + 1_000);

    writeFileSync(join(dir, 'tick.yaml'), TICK_OFF);
    json('workflow add', await baton('workflow', 'add', 'tick.yaml', '--json'));
    tickRuns = (await list()).length;
  }, 240_000);

  it('survives kill -9 of the server while the approvals wait: restarted, it takes the decisions', async () => {
    await waitingFor(runs.A.id, runs.C.id, runs.D.id, triggered.id);
    server.child.kill('SIGKILL');
    await exited(server.child);
    await serve(Number(new URL(url).port));

    const decisions = await Promise.all([
      baton('workflow', 'approve', String(runs.A.id), 'approve', '--json'),
      baton('workflow', 'approve', String(runs.C.id), 'approve', '--reject', '--comment', 'not this time', '--json'),
      baton('workflow', 'approve', String(runs.D.id), 'approve', '--json'),
      baton('workflow', 'cancel', String(triggered.id), '--reason', 'nightly only', '--json'),
    ]);
    for (const r of decisions) expect(r.code, r.stderr).toBe(0);
    await ended(runs.A.id, runs.C.id, runs.D.id);
    const [a, c, d, e] = (await Promise.all([runs.A, runs.C, runs.D, triggered].map((r) => status(r.id)))) as [
      RunDetail,
      RunDetail,
      RunDetail,
      RunDetail,
    ];
    Object.assign(finals, { A: a, C: c, D: d, E: e });
    expect(e.status).toBe('cancelled');
    expect(statuses(e)).toMatchObject({ build: 'completed', test: 'completed', approve: 'cancelled', publish: 'cancelled' });
  }, 240_000);

  it('the approved release publishes, honours its wait, and stops its loop once healthy', async () => {
    const a = finals.A;
    expect(a.status).toBe('completed');
    expect(a.error).toBeNull();
    expect(statuses(a)).toEqual({
      build: 'completed',
      test: 'completed',
      approve: 'completed',
      publish: 'completed',
      rollback: 'skipped',
      settle: 'completed',
      poll: 'completed',
    });
    expect(stepOf(a, 'approve').result).toMatchObject({ approved: true, role: 'admin' });
    expect(stepOf(a, 'publish').result).toEqual({ published: '1.0.0' });
    // The step after the 1 s wait started no earlier than the wait's end, and within a second of it.
    const settle = stepOf(a, 'settle');
    const waited = ms(stepOf(a, 'poll').startedAt) - ms(settle.startedAt);
    expect(waited, 'ms from the start of the wait to the next step').toBeGreaterThanOrEqual(1_000);
    expect(waited, 'ms from the start of the wait to the next step').toBeLessThan(2_000);
    // Healthy on the third try: three checks, each created at least 200 ms after the last ended.
    const checks = await Promise.all(tasksOf(a, 'poll').map((t) => api<Task>(`/tasks/${t.id}`)));
    expect(checks.map((t) => t.result)).toEqual([
      { healthy: false, try: 1 },
      { healthy: false, try: 2 },
      { healthy: true, try: 3 },
    ]);
    for (let i = 1; i < checks.length; i++) {
      expect(ms(checks[i]?.createdAt) - ms(checks[i - 1]?.completedAt)).toBeGreaterThanOrEqual(200);
    }
    expect(stepOf(a, 'poll').result).toEqual({ healthy: true, try: 3 });
  }, 240_000);

  it('the rejected release fails at its approval, and nothing after it runs', async () => {
    const c = finals.C;
    expect(c.status).toBe('failed');
    expect(c.error).toBe('step approve failed: rejected by api: not this time');
    expect(statuses(c)).toEqual({
      build: 'completed',
      test: 'completed',
      approve: 'failed',
      publish: 'skipped',
      rollback: 'skipped',
      settle: 'skipped',
      poll: 'skipped',
    });
    expect(c.tasks.map((t) => t.step)).toEqual(['build', 'build', 'test']);
  }, 240_000);

  it('the release that never gets healthy fails its loop at max', async () => {
    const d = finals.D;
    expect(d.status).toBe('failed');
    expect(d.error).toBe('step poll failed: until did not hold after 3 iterations');
    expect(stepOf(d, 'poll')).toMatchObject({ status: 'failed', result: { healthy: false, try: 3 } });
    expect(tasksOf(d, 'poll').map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    // on_failure ran its condition: the tests had passed, so no rollback.
    expect(stepOf(d, 'rollback').status).toBe('skipped');
  }, 240_000);

  it('across the restart no step started twice and no task ran twice; the cron stayed off', async () => {
    const log = await events();
    const started = new Map<string, number>();
    for (const e of log.filter((x) => x.type === 'step_started')) {
      const key = `${e.data?.run}/${e.data?.step}`;
      started.set(key, (started.get(key) ?? 0) + 1);
    }
    expect([...started].filter(([, n]) => n > 1)).toEqual([]);
    expect([...started.keys()].filter((k) => k.startsWith(`${runs.A.id}/`))).toEqual(
      ['build', 'test', 'approve', 'publish', 'settle', 'poll'].map((s) => `${runs.A.id}/${s}`),
    );
    for (const type of ['claimed', 'completed', 'run_started']) {
      const seen = log.filter((e) => e.type === type).map((e) => (type === 'run_started' ? e.data?.run : e.taskId));
      expect(seen.length, `${type} twice`).toBe(new Set(seen).size);
    }
    const a = await runNow(runs.A.id);
    expect(a.tasks.map((t) => t.step)).toEqual(['build', 'build', 'test', 'publish', 'poll', 'poll', 'poll']);
    expect(await runsOf('tick')).toHaveLength(tickRuns);
    // The event trigger started one release for its one event, the restart none again.
    const versions = (await runsOf('release')).map((r) => r.params.version).sort();
    expect(versions).toEqual(['1.0.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0']);
  }, 240_000);
});
