import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, freshProject, isAlive, startWorker, storeOf, waitFor } from './helpers.js';

const q = JSON.stringify;

describe('running commands', () => {
  let project: ReturnType<typeof freshProject>;
  beforeEach(() => {
    project = freshProject();
  });
  afterEach(() => project.cleanup());

  /** `--once` exits 0 when its task completed, 1 when it did not. */
  const runOnce = async (args: string[] = [], expected = 0) => {
    const w = startWorker(project.dir, ['w1', '--once', ...args]);
    const code = await w.exited;
    expect(code, w.output()).toBe(expected);
    return w.output();
  };

  it('timeout kills the whole process group, a child that ignores SIGTERM included', async () => {
    const { dir } = project;
    const pidFile = join(dir, 'stubborn.pid');
    // The child ignores SIGTERM (an ignored signal stays ignored across exec), so only SIGKILL ends
    // it; left alone it would outlive the test. How long the kill takes: bench/latency.mjs.
    const stubborn = `sh -c 'trap "" TERM; echo $$ > ${q(pidFile)}; exec sleep 600' & wait`;
    const add = cli(dir, ['add', 'runs too long', '--command', stubborn, '--timeout', '1', '--max-retries', '0', '--json']);
    const id = JSON.parse(add.stdout).id as number;
    await runOnce([], 1);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
    const task = JSON.parse(cli(dir, ['show', String(id), '--json']).stdout).task;
    expect(task.status).toBe('failed');
    expect(task.lastError).toMatch(/timed out after 1s/);
    expect(readFileSync(join(dir, `.baton/logs/${id}-1.log`), 'utf8')).toMatch(/stopping \(timeout\)/);
  });

  it('::progress and ::result lines report progress and the result; stderr is kept in the log', async () => {
    const { dir } = project;
    const command = [
      'echo "::progress 40 Writing tests"',
      'echo "some ordinary output"',
      'echo "a warning" >&2',
      'echo "::progress 90"',
      `echo '::result {"passed": 12, "files": ["a.ts"]}'`,
    ].join('; ');
    const id = JSON.parse(cli(dir, ['add', 'reports', '--command', command, '--json']).stdout).id;
    await runOnce();
    const { task, history } = JSON.parse(cli(dir, ['show', String(id), '--json']).stdout);
    expect(task.status).toBe('completed');
    expect(task.result).toEqual({ passed: 12, files: ['a.ts'] });
    expect(task.checkpoints.map((c: { name: string; progress: number }) => [c.name, c.progress])).toEqual([
      ['Writing tests', 40],
    ]);
    const progress = history.filter((e: { type: string }) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const log = readFileSync(join(dir, `.baton/logs/${id}-1.log`), 'utf8');
    expect(log).toContain('some ordinary output');
    expect(log).toContain('a warning');
  });

  it('a non-zero exit fails the attempt with the tail of stderr; a bad ::result fails it too', async () => {
    const { dir } = project;
    const fails = `for i in $(seq 1 40); do echo "line $i" >&2; done; exit 7`;
    const a = JSON.parse(cli(dir, ['add', 'fails', '--command', fails, '--max-retries', '0', '--json']).stdout).id;
    const b = JSON.parse(
      cli(dir, ['add', 'bad result', '--command', 'echo "::result {nope"', '--max-retries', '0', '--json']).stdout,
    ).id;
    await runOnce([], 1);
    await runOnce([], 1);
    const taskA = JSON.parse(cli(dir, ['show', String(a), '--json']).stdout).task;
    expect(taskA.status).toBe('failed');
    expect(taskA.lastError).toMatch(/^exit code 7: line 21\n/);
    expect(taskA.lastError).toMatch(/line 40$/);
    const taskB = JSON.parse(cli(dir, ['show', String(b), '--json']).stdout).task;
    expect(taskB.status).toBe('failed');
    expect(taskB.lastError).toMatch(/::result: not valid JSON/);
  });

  it('--exec receives the task on stdin, in $BATON_TASK_FILE and in BATON_* variables', async () => {
    const { dir } = project;
    const out = (f: string) => q(join(dir, f));
    const exec = [
      `cat > ${out('stdin.json')}`,
      `cp "$BATON_TASK_FILE" ${out('file.json')}`,
      `echo "$BATON_TASK_FILE" > ${out('file.path')}`,
      `env | grep '^BATON_' | sort > ${out('env.txt')}`,
      'echo "::progress 40 Writing tests"',
      `echo "::result {\\"title\\": \\"$BATON_TASK_TITLE\\"}"`,
    ].join('; ');
    const id = JSON.parse(
      cli(dir, ['add', 'agent job', '--command', 'make it so', '--input', '{"repo":"x"}', '--json']).stdout,
    ).id;
    await runOnce(['--exec', exec]);
    const stdin = JSON.parse(readFileSync(join(dir, 'stdin.json'), 'utf8'));
    expect(stdin).toMatchObject({ id, title: 'agent job', command: 'make it so', input: { repo: 'x' }, status: 'executing' });
    expect(stdin.lease).toMatchObject({ owner: 'w1', token: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'file.json'), 'utf8'))).toEqual(stdin);
    // The task file is private to the attempt and removed after it.
    expect(existsSync(readFileSync(join(dir, 'file.path'), 'utf8').trim())).toBe(false);
    const env = readFileSync(join(dir, 'env.txt'), 'utf8');
    expect(env).toContain(`BATON_TASK_ID=${id}\n`);
    expect(env).toContain('BATON_TASK_TITLE=agent job\n');
    expect(env).toContain('BATON_TASK_COMMAND=make it so\n');
    expect(env).toContain('BATON_WORKER_ID=w1\n');
    expect(env).toContain('BATON_LEASE_TOKEN=1\n');
    expect(env).toMatch(/BATON_TASK_FILE=\S+task-\d+\.json\n/);
    const task = JSON.parse(cli(dir, ['show', String(id), '--json']).stdout).task;
    expect(task.result).toEqual({ title: 'agent job' });
    expect(task.checkpoints[0]).toMatchObject({ name: 'Writing tests', progress: 40 });
  });

  it('--simulate advances progress and completes, labelled in history', async () => {
    const { dir } = project;
    const id = JSON.parse(cli(dir, ['add', 'demo', '--json']).stdout).id;
    await runOnce(['--simulate', '0.3']);
    const { task } = JSON.parse(cli(dir, ['show', String(id), '--json']).stdout);
    expect(task.status).toBe('completed');
    expect(task.notes[0].text).toMatch(/simulated/);
    expect(task.checkpoints.length).toBeGreaterThanOrEqual(1);
  });

  it('retries with a fixed policy: each attempt waits out the delay, then the task is failed and visible', async () => {
    const { dir } = project;
    const add = cli(dir, [
      'add',
      'flaky',
      '--command',
      'echo "attempt $BATON_TASK_ATTEMPT" >&2; exit 1',
      '--retry-policy',
      'fixed',
      '--retry-delay',
      '0.4',
      '--max-retries',
      '2',
      '--json',
    ]);
    const id = JSON.parse(add.stdout).id;
    const w = startWorker(dir, ['w1']);
    const baton = await storeOf(dir);
    try {
      await waitFor('the task to fail for good', async () => (await baton.getTask(id)).status === 'failed', 20_000);
      w.child.kill('SIGTERM');
      await w.exited;
      // All on the store's clock, so what the worker's timers and the machine's load do cannot
      // blur it; how soon after its due time a retry is claimed is bench/latency.mjs's to measure.
      const history = (await baton.showTask(id)).history;
      const claims = history.filter((e) => e.type === 'claimed').map((e) => Date.parse(e.at));
      const fails = history.filter((e) => e.type === 'failed');
      expect(claims).toHaveLength(3);
      expect(fails).toHaveLength(3);
      for (const [i, failure] of fails.slice(0, 2).entries()) {
        const due = Date.parse(String(failure.changes.runAfter?.[1]));
        // Jitter (config default 0.2) may shorten the 0.4 s delay by up to a fifth, never lengthen it.
        expect(due - Date.parse(failure.at)).toBeGreaterThanOrEqual(320);
        expect(due - Date.parse(failure.at)).toBeLessThanOrEqual(400);
        // The next attempt waited out the delay.
        expect(claims[i + 1]).toBeGreaterThanOrEqual(due);
      }
      const task = await baton.getTask(id);
      expect(task.lastError).toMatch(/exit code 1: attempt 3/);
      const failed = JSON.parse(cli(dir, ['list', '--status', 'failed', '--json']).stdout);
      expect(failed.tasks.map((t: { id: number }) => t.id)).toEqual([id]);
    } finally {
      // Stopped even when the test failed early, so it never outlives its folder.
      w.child.kill('SIGKILL');
      await baton.close();
    }
  });
});
