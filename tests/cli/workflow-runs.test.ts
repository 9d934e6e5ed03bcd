import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../src/app/baton.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { childEnv } from '../helpers/sealed.js';
import { exited, startBaton } from '../server/spawn.js';
import { BIN, cli, cliAsync, freshProject } from './run-cli.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;

const SHIP = `name: ship
params:
  version: { type: string, required: true, pattern: '^\\d+\\.\\d+\\.\\d+$' }
  targets: { type: array, default: [linux, macos, windows] }
steps:
  - id: build
    foreach: \${{ params.targets }}
    max_parallel: 3
    task: { title: "Build \${{ params.version }} for \${{ item }}" }
  - id: test
    needs: [build]
    task: { title: "Test \${{ params.version }}" }
  - id: publish
    needs: [test]
    if: \${{ params.version == '9.9.9' }}
    task: { title: Publish }
  - id: settle
    needs: [test]
    wait: { duration: 1s }
  - id: announce
    needs: [settle]
    task: { title: "Announce \${{ params.version }}" }
`;

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGKILL');
    await exited(c);
  }
  for (const f of cleanups.splice(0)) f();
});

function project(): string {
  const p = freshProject();
  cleanups.push(p.cleanup);
  return p.dir;
}

async function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const s = await startBaton(dir, ['serve', '--port', '0'], SERVING);
  children.push(s.child);
  return { url: s.match[1] as string, child: s.child };
}

function worker(dir: string, id: string, url: string, seconds: string): void {
  const child = spawn(process.execPath, [BIN, 'worker', id, '--simulate', seconds], {
    cwd: dir,
    env: childEnv({ BATON_SERVER: url }),
    stdio: 'ignore',
  });
  children.push(child);
}

const ms = (iso: string | null | undefined) => Date.parse(iso as string);

describe('baton workflow run: a release-like run carried out by real workers', () => {
  it('runs three builds in parallel, fans in, skips the false branch, honours a 1 s wait, and ends completed', async () => {
    const dir = project();
    writeFileSync(join(dir, 'ship.yaml'), SHIP);
    const { url } = await serve(dir);
    for (const id of ['w1', 'w2', 'w3']) worker(dir, id, url, '0.8');

    // A FILE is validated and registered first; --wait follows the run to its end.
    const r = await cliAsync(dir, [
      'workflow',
      'run',
      'ship.yaml',
      '--param',
      'version=1.4.0',
      '--wait',
      '--json',
      '--server',
      url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunDetail;
    expect(run.status).toBe('completed');
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.status]))).toEqual({
      build: 'completed',
      test: 'completed',
      publish: 'skipped',
      settle: 'completed',
      announce: 'completed',
    });
    const builds = run.tasks.filter((t) => t.step === 'build');
    expect(builds.map((t) => t.title)).toEqual(['Build 1.4.0 for linux', 'Build 1.4.0 for macos', 'Build 1.4.0 for windows']);

    // The three builds ran at once: each was claimed before any of them completed.
    const remote = new RemoteBaton({ url });
    const events = await remote.events({ limit: 10_000 });
    const ids = new Set(builds.map((t) => t.id));
    const claimed = events.filter((e) => e.type === 'claimed' && ids.has(e.taskId as number)).map((e) => ms(e.at));
    const firstDone = Math.min(
      ...events.filter((e) => e.type === 'completed' && ids.has(e.taskId as number)).map((e) => ms(e.at)),
    );
    expect(claimed).toHaveLength(3);
    expect(Math.max(...claimed)).toBeLessThan(firstDone);

    // The wait lasted its second, and the server's sweep ended it within a second after.
    const settle = run.steps.find((s) => s.id === 'settle');
    const waited = ms(settle?.finishedAt) - ms(settle?.startedAt);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(ms(settle?.finishedAt) - ms(settle?.waitUntil)).toBeLessThan(1_000);

    // The same run as `workflow status` and `workflow runs` show it.
    const status = cli(dir, ['workflow', 'status', String(run.id), '--server', url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`run ${run.id}: ship v1 completed`);
    expect(status.stdout).toMatch(/publish\s+skipped/);
    expect(status.stdout).toContain('Build 1.4.0 for macos');
    const runs = JSON.parse(cli(dir, ['workflow', 'runs', '--name', 'ship', '--json', '--server', url]).stdout);
    expect(runs.map((x: RunDetail) => [x.id, x.status])).toEqual([[run.id, 'completed']]);
    await remote.close();
  }, 180_000);

  it('refuses bad params with a coded error and exit 2, starting nothing', async () => {
    const dir = project();
    writeFileSync(join(dir, 'ship.yaml'), SHIP);
    const bad = cli(dir, ['workflow', 'run', 'ship.yaml', '--param', 'version=one', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr).error).toMatchObject({ code: 'invalid_params' });
    expect(cli(dir, ['workflow', 'run', 'ship', '--param', 'nonsense']).stderr).toContain('param: expected k=v');
    expect(JSON.parse(cli(dir, ['workflow', 'runs', '--json']).stdout)).toEqual([]);
    expect(cli(dir, ['workflow', 'status', '7']).code).toBe(3);
  });

  it('a run survives kill -9 of its server: restarted, the server carries it to its end', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'hold.yaml'),
      'name: hold\nsteps:\n  - id: pause\n    wait: { duration: 1s }\n  - id: after\n    needs: [pause]\n    task: { title: After the pause }\n',
    );
    const first = await serve(dir);
    const started = JSON.parse(cli(dir, ['workflow', 'run', 'hold.yaml', '--json', '--server', first.url]).stdout) as RunDetail;
    expect(started.steps[0]?.status).toBe('waiting');
    first.child.kill('SIGKILL');
    await exited(first.child);
    // Down while the wait falls due; nothing else touches the store meanwhile.
    await new Promise((r) => setTimeout(r, 1_500));
    const second = await serve(dir);
    worker(dir, 'w1', second.url, '0.2');
    const remote = new RemoteBaton({ url: second.url });
    let run = await remote.getRun(started.id);
    for (let i = 0; i < 200 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await remote.getRun(started.id);
    }
    expect(run.status).toBe('completed');
    expect(run.tasks.map((t) => [t.step, t.status])).toEqual([['after', 'completed']]);
    expect((await remote.events({ limit: 1_000 })).filter((e) => e.type === 'step_started').map((e) => e.data?.step)).toEqual([
      'pause',
      'after',
    ]);
    await remote.close();
  }, 180_000);

  it('workflow approve: the role of the key must be one the step names; approving lets the run go on', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'gate.yaml'),
      'name: gate\nsteps:\n  - id: approve\n    approval: { by: [admin] }\n  - id: peek\n    approval: { by: [viewer] }\n  - id: ship\n    needs: [approve]\n    task: { title: Ship }\n',
    );
    const key = (role: string) => JSON.parse(cli(dir, ['keys', 'create', '--role', role, '--json']).stdout).key as string;
    const admin = key('admin');
    const viewer = key('viewer');
    const { url } = await serve(dir);
    const as = (k: string, args: string[]) => cliAsync(dir, [...args, '--server', url, '--api-key', k]);
    const started = await as(admin, ['workflow', 'run', 'gate.yaml', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const id = String((JSON.parse(started.stdout) as RunDetail).id);

    const refused = await as(viewer, ['workflow', 'approve', id, 'approve']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: forbidden: step approve may be decided only by admin, not viewer');
    const approved = await as(admin, ['workflow', 'approve', id, 'approve', '--comment', 'ship it']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`approved step approve of run ${id}`);
    const rejected = await as(viewer, ['workflow', 'approve', id, 'peek', '--reject', '--json']);
    expect(rejected.code, rejected.stderr).toBe(0);
    const run = JSON.parse(rejected.stdout) as RunDetail;
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.status]))).toEqual({
      approve: 'completed',
      peek: 'failed',
      ship: 'running',
    });
    const status = await as(viewer, ['workflow', 'status', id]);
    expect(status.stdout).toMatch(/approve\s+completed.*approved by/);
    expect(status.stdout).toMatch(/peek\s+failed.*rejected by/);
  }, 180_000);
});
