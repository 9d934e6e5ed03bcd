import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerView } from '../../src/core/types.js';
import { cli, freshProject, json, startWorker, storeOf, waitFor } from './helpers.js';

const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('baton worker and baton workers, as a user runs them (no TTY)', () => {
  let project: ReturnType<typeof freshProject>;
  beforeEach(() => {
    project = freshProject();
  });
  afterEach(() => project.cleanup());

  it('a default worker (running each task its own command) leaves tasks without a command alone', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      // The commandless task comes first in the queue; a worker that took it could only fail it.
      const plain = await baton.createTask({ title: 'Review the design', priority: 'critical' });
      const runnable = await baton.createTask({ title: 'Build', command: 'echo built', priority: 'low' });
      const run = cli(dir, ['worker', 'w1', '--once', '--json']);
      expect(run.code).toBe(0);
      expect(lines(run.stdout).find((e) => e.type === 'claimed')).toMatchObject({ taskId: runnable.id });
      expect(await baton.getTask(runnable.id)).toMatchObject({ status: 'completed' });
      expect(await baton.getTask(plain.id)).toMatchObject({ status: 'queued', attempts: 0, retries: 0, lastError: null });
      // A worker with --exec handles any task: it takes the commandless one.
      const exec = cli(dir, ['worker', 'w2', '--once', '--json', '--exec', 'cat > /dev/null']);
      expect(exec.code).toBe(0);
      expect(await baton.getTask(plain.id)).toMatchObject({ status: 'completed', assignee: 'w2' });
      // So does `baton next` unless asked for tasks with a command.
      const other = await baton.createTask({ title: 'Think' });
      expect(json(cli(dir, ['next', '--worker', 'w3', '--with-command', '--json']))).toBeNull();
      expect(json<{ id: number }>(cli(dir, ['next', '--worker', 'w3', '--json'])).id).toBe(other.id);
    } finally {
      await baton.close();
    }
  });

  it('--once exits non-zero when its task failed, zero when it completed; JSON lines and log lines carry ::progress', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const failing = await baton.createTask({
        title: 'Flaky',
        command: 'echo "::progress 40 Compiling"; sleep 0.3; echo "::progress 80 Linking"; sleep 0.3; exit 3',
      });
      const failed = cli(dir, ['worker', 'w1', '--once', '--json']);
      expect(failed.code).not.toBe(0);
      const events = lines(failed.stdout);
      expect(events.filter((e) => e.type === 'progress')).toEqual([
        expect.objectContaining({ taskId: failing.id, progress: 40, step: 'Compiling' }),
        expect.objectContaining({ taskId: failing.id, progress: 80, step: 'Linking' }),
      ]);
      expect(events.find((e) => e.type === 'failed')).toMatchObject({ taskId: failing.id, retrying: true });
      await baton.cancelTask(failing.id);

      await baton.createTask({ title: 'Fine', command: 'echo "::progress 50 Halfway"; sleep 0.3; echo ok' });
      const passed = cli(dir, ['worker', 'w1', '--once']);
      expect(passed.code).toBe(0);
      expect(passed.stdout).toMatch(/progress #\d+ 50%: Halfway/);
      expect(passed.stdout).toMatch(/completed #\d+/);
    } finally {
      await baton.close();
    }
  });

  it('baton workers lists online workers first and forgets offline ones after workers.forgetAfter', async () => {
    const { dir } = project;
    writeFileSync(join(dir, '.baton', 'config.yaml'), 'heartbeatTimeout: 3s\nworkers:\n  forgetAfter: 7s\n');
    const baton = await storeOf(dir);
    try {
      await baton.registerWorker({ id: 'a-old' });
      await baton.registerWorker({ id: 'b-gone' });
      await baton.unregisterWorker('b-gone');
      // a-old goes silent: offline once the heartbeat timeout passes.
      await new Promise((r) => setTimeout(r, 3_500));
      await baton.registerWorker({ id: 'c-left' });
      await baton.unregisterWorker('c-left');
      await baton.registerWorker({ id: 'z-online' });
      const listed = json<WorkerView[]>(cli(dir, ['workers', '--json']));
      expect(listed.map((w) => [w.id, w.online])).toEqual([
        ['z-online', true],
        ['c-left', false],
        // Saying goodbye was its last sign of life: after a-old's registration.
        ['b-gone', false],
        ['a-old', false],
      ]);
      const text = cli(dir, ['workers']).stdout;
      expect(text.indexOf('z-online')).toBeGreaterThanOrEqual(0);
      expect(text.indexOf('z-online')).toBeLessThan(text.indexOf('a-old'));
      await new Promise((r) => setTimeout(r, 4_000));
      await baton.registerWorker({ id: 'z-online' });
      await baton.registerWorker({ id: 'c-left' });
      await baton.unregisterWorker('c-left');
      // a-old and b-gone were last seen over 7 s ago now.
      expect(json<WorkerView[]>(cli(dir, ['workers', '--json'])).map((w) => w.id)).toEqual(['z-online', 'c-left']);
      expect(cli(dir, ['workers']).stdout).not.toContain('a-old');
    } finally {
      await baton.close();
    }
  });

  it("a running worker reports its process's memory and CPU, shown by baton workers", async () => {
    const { dir } = project;
    cli(dir, ['add', 'Nothing yet']); // the store exists before the worker opens it
    const worker = startWorker(dir, ['w-usage']);
    try {
      const seen = await waitFor('a heartbeat with usage', () => {
        const [w] = json<WorkerView[]>(cli(dir, ['workers', '--json']));
        return w?.usage ? w : null;
      });
      expect(seen).toMatchObject({ id: 'w-usage', pid: worker.child.pid, online: true });
      // A Node.js process holds tens of megabytes resident, and far less than the machine.
      expect(seen.usage?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(seen.usage?.rssBytes).toBeLessThan(4 * 1024 * 1024 * 1024);
      expect(seen.usage?.heapUsedBytes).toBeGreaterThan(0);
      expect(seen.usage?.cpuPercent).toBeGreaterThanOrEqual(0);
      const text = cli(dir, ['workers']).stdout;
      expect(text).toMatch(/MEM\s+CPU/);
      expect(text).toMatch(/w-usage.*\d+ MB\s+\d+%/);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });
});
