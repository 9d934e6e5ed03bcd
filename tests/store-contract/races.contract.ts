import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PRIORITIES, type TaskEvent } from '../../src/core/types.js';
import { sealedEnv } from '../helpers/serve-process.js';
import { claimSoon, type Reach, refusal, type StoreHarness, waitPast } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLAIM_LOOP = resolve(import.meta.dirname, 'claim-loop.mjs');
const CLI = resolve(ROOT, 'dist/cli/main.js');

interface Proc {
  child: ChildProcessWithoutNullStreams;
  /** Parsed JSON lines printed so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first printed line that has `key`. */
  line(key: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function requireBuild(): void {
  for (const file of [resolve(ROOT, 'dist/app/open.js'), resolve(ROOT, 'dist/client/remote-baton.js'), CLI]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first with \`npx tsc -p tsconfig.build.json\``);
  }
}

/** Starts a worker process running claim-loop.mjs; it waits for `go()` before claiming. */
function startWorker(reach: Reach, worker: string, mode: 'drain' | 'hold', leaseSeconds = 300): Proc {
  const child = spawn(
    process.execPath,
    [CLAIM_LOOP, ...reach.args, '--worker', worker, '--mode', mode, '--lease', String(leaseSeconds)],
    { cwd: reach.cwd, env: sealedEnv() },
  );
  // A test that fails before its workers finish must not leave them waiting for `go` forever.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.key in line)) w.resolve(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  const line = (key: string) =>
    new Promise<Record<string, unknown>>((resolveLine, reject) => {
      const seen = lines.find((l) => key in l);
      if (seen) return resolveLine(seen);
      waiters.push({ key, resolve: resolveLine });
      void exited.then(({ code, signal }) =>
        reject(new Error(`${worker} exited (${code ?? signal}) before printing "${key}": ${stderr}`)),
      );
    });
  return { child, lines, stderr: () => stderr, line, exited };
}

const go = (procs: Proc[]) => {
  for (const p of procs) p.child.stdin.write('go\n');
};

/** Runs the real CLI binary on the store `reach` names and waits for it. */
function runCli(reach: Reach, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args, ...reach.args], { cwd: reach.cwd, env: sealedEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function countBy(events: TaskEvent[], type: string): Map<number, TaskEvent[]> {
  const map = new Map<number, TaskEvent[]>();
  for (const e of events) {
    if (e.type !== type || e.taskId === null) continue;
    map.set(e.taskId, [...(map.get(e.taskId) ?? []), e]);
  }
  return map;
}

const PROCESSES = 8;
/** Several processes load and thousands of calls go through one store: more than a minute on a busy machine. */
const RACE_TIMEOUT_MS = 180_000;
const CREATE_BATCH = 50;

/** Several OS processes on one store: the races that matter most. */
export function raceContract(store: () => StoreHarness): void {
  describe('races between worker processes', { timeout: RACE_TIMEOUT_MS }, () => {
    const TASKS = store().raceTasks;
    it(`${PROCESSES} processes drain ${TASKS} tasks: each is claimed and completed exactly once`, async () => {
      requireBuild();
      const baton = await store().open();
      const reach = await store().reach();
      // The workers load while the tasks are created: they claim nothing before `go`.
      const procs = Array.from({ length: PROCESSES }, (_, i) => startWorker(reach, `racer-${i}`, 'drain'));
      const ids: number[] = [];
      // A batch at a time: through a server, one at a time would cost a round trip each.
      for (let i = 0; i < TASKS; i += CREATE_BATCH) {
        const batch = Array.from({ length: Math.min(CREATE_BATCH, TASKS - i) }, (_, j) =>
          baton.createTask({ title: `job ${i + j}`, priority: PRIORITIES[(i + j) % PRIORITIES.length] }),
        );
        ids.push(...(await Promise.all(batch)).map((t) => t.id));
      }
      ids.sort((a, b) => a - b);

      await Promise.all(procs.map((p) => p.line('ready')));
      go(procs);
      const exits = await Promise.all(procs.map((p) => p.exited));

      const summaries = procs.map(
        (p) => p.lines.find((l) => 'completed' in l) as { worker: string; completed: number[]; errors: unknown[] },
      );
      for (const [i, p] of procs.entries()) {
        expect({ worker: `racer-${i}`, exit: exits[i], stderr: p.stderr(), errors: summaries[i]?.errors }).toEqual({
          worker: `racer-${i}`,
          exit: { code: 0, signal: null },
          stderr: '',
          errors: [],
        });
      }
      const reported = summaries.flatMap((s) => s.completed);
      expect(reported).toHaveLength(TASKS);
      expect([...reported].sort((a, b) => a - b)).toEqual(ids);
      expect(summaries.filter((s) => s.completed.length > 0).length).toBeGreaterThanOrEqual(2);

      // The audit trail agrees: one claim and one completion per task, by the same worker.
      const events = await baton.events();
      const claimed = countBy(events, 'claimed');
      const completed = countBy(events, 'completed');
      const workerOf = new Map(summaries.flatMap((s) => s.completed.map((id) => [id, s.worker] as const)));
      for (const id of ids) {
        expect(claimed.get(id)?.length, `claimed events of task ${id}`).toBe(1);
        expect(completed.get(id)?.length, `completed events of task ${id}`).toBe(1);
        expect(completed.get(id)?.[0]?.workerId).toBe(workerOf.get(id));
        expect(claimed.get(id)?.[0]?.workerId).toBe(workerOf.get(id));
      }
      const counts = await baton.status();
      expect(counts.tasks.byStatus.completed).toBe(TASKS);
      expect(counts.queueDepth).toBe(0);
      const tasks = [];
      for (let page = await baton.listTasks({}); ; page = await baton.listTasks({ cursor: page.next as string })) {
        tasks.push(...page.tasks);
        if (!page.next) break;
      }
      expect(tasks).toHaveLength(TASKS);
      expect(tasks.every((t) => t.leaseToken === 1 && t.attempts === 1 && t.lease === null)).toBe(true);
    });

    it('a killed worker’s lease expires, another worker finishes the task, and the late write is refused', async () => {
      requireBuild();
      const baton = await store().open();
      const reach = await store().reach();
      const task = await baton.createTask({ title: 'Survives a crash' });

      const doomed = startWorker(reach, 'doomed', 'hold', 1);
      await doomed.line('ready');
      go([doomed]);
      const { claimed } = (await doomed.line('claimed')) as { claimed: { id: number; token: number; expiresAt: string } };
      expect(claimed).toMatchObject({ id: task.id, token: 1 });
      process.kill(doomed.child.pid!, 'SIGKILL');
      expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Nobody else may take it while the lease runs…
      expect(await baton.claim({ workerId: 'rescuer' })).toBeNull();
      // …and once it expires, another worker does.
      await waitPast(baton, claimed.expiresAt);
      const rescued = await claimSoon(baton, 'rescuer');
      expect(rescued).toMatchObject({ id: task.id, lease: { owner: 'rescuer', token: 2 }, attempts: 2 });

      // The dead worker's late write, while the rescuer holds the lease: a conflict.
      const whileHeld = await runCli(reach, ['done', String(task.id), '--worker', 'doomed', '--token', '1']);
      expect(whileHeld.code, whileHeld.stderr).toBe(4);
      expect(whileHeld.stderr).toMatch(/^error: (not_lease_holder|stale_token): /);
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'executing', lease: { owner: 'rescuer', token: 2 } });

      await baton.complete(task.id, { workerId: 'rescuer', token: 2, result: { by: 'rescuer' } });

      // After the rescuer finished: still refused, and the rescuer's work stands.
      const late = await refusal(baton.complete(task.id, { workerId: 'doomed', token: 1, result: { by: 'doomed' } }));
      expect(['stale_token', 'illegal_transition']).toContain(late.code);
      expect(late.exitCode).toBe(4);
      const viaCli = await runCli(reach, [
        'done',
        String(task.id),
        '--worker',
        'doomed',
        '--token',
        '1',
        '--result',
        '{"by":"doomed"}',
      ]);
      expect(viaCli.code, viaCli.stderr).toBe(4);
      expect(viaCli.stderr).toMatch(/^error: (stale_token|illegal_transition): /);
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'completed', result: { by: 'rescuer' } });

      const history = (await baton.events({ taskId: task.id })).map((e) => [e.type, e.workerId]);
      expect(history).toEqual([
        ['created', null],
        ['claimed', 'doomed'],
        ['lease_expired', 'doomed'],
        ['claimed', 'rescuer'],
        ['completed', 'rescuer'],
      ]);
    });
  });
}
