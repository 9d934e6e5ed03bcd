import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { work } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { connect } from '../mcp/helpers.js';
import { fileIncludes, groupMembers, isAlive, pidIn, storeOf, useWorkerProject, waitFor } from './helpers.js';

/** The first attempt records its shell's pid, reports 30 % and hangs; a later one finishes at once. */
const HANG_FIRST = (dir: string) => {
  const pid = JSON.stringify(join(dir, 'first.pid'));
  return `if [ ! -f ${pid} ]; then echo $$ > ${pid}; echo "::progress 30 Working"; sleep 60 & wait; fi; echo "second run"`;
};

describe('pausing a task while a worker runs it', () => {
  const project = useWorkerProject();

  it('stops the process group within 2 s; the attempt is not a failure; resumed, the task runs again', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const task = await baton.createTask({ title: 'long build', command: HANG_FIRST(dir), maxRetries: 0 });
      const worker = project.start(['w1', '--json']);
      await waitFor('the command to report progress', async () => (await baton.getTask(task.id)).progress === 30);
      const shell = pidIn(dir, 'first.pid');
      expect(isAlive(shell)).toBe(true);

      const pausedAt = Date.now();
      const paused = await baton.pauseTask(task.id);
      expect(paused).toMatchObject({ status: 'paused', lease: null });
      await waitFor('the process group to stop', () => groupMembers(shell).length === 0, 2_000);
      expect(Date.now() - pausedAt).toBeLessThan(2_000);
      await waitFor('the worker to say so', () => worker.output().includes('"type":"paused"'), 2_000);
      expect(fileIncludes(join(dir, `.baton/logs/${task.id}-1.log`), 'stopping (paused)')).toBe(true);

      // Not a failure: no retry used (it has none), no error, progress and history kept; no report after.
      const after = await baton.getTask(task.id);
      expect(after).toMatchObject({ status: 'paused', progress: 30, retries: 0, lastError: null, attempts: 1 });
      expect(after.checkpoints.map((c) => c.name)).toEqual(['Working']);
      const types = (await baton.showTask(task.id)).history.map((e) => e.type);
      expect(types).not.toContain('failed');
      expect(types).not.toContain('released');
      expect(worker.output()).not.toContain('"type":"lost"');

      // The worker is still there; resumed, the task goes back to the queue and it runs it again.
      expect((await baton.resumeTask(task.id)).status).toBe('queued');
      const done = await waitFor('the second attempt to complete', async () => {
        const t = await baton.getTask(task.id);
        return t.status === 'completed' && t;
      });
      expect(done).toMatchObject({ attempts: 2, retries: 0, assignee: 'w1' });
    } finally {
      await baton.close();
    }
  });

  it("an MCP agent's next call about the paused task is refused with task_paused", async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    const agent = await connect(dir, { args: ['--worker', 'agent-1'] });
    try {
      const task = await baton.createTask({ title: 'agent work' });
      expect((await agent.call('next_task')).data.task.id).toBe(task.id);
      await baton.pauseTask(task.id);
      for (const [tool, args] of [
        ['report_progress', { id: task.id, progress: 50 }],
        ['complete_task', { id: task.id }],
      ] as const) {
        const reply = await agent.call(tool, args);
        expect(reply.isError).toBe(true);
        expect(reply.data.error.code).toBe('task_paused');
      }
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'paused', progress: 0 });
    } finally {
      await agent.close();
      await baton.close();
    }
  });
});

describe('pausing a task a JS handler runs', () => {
  it("aborts the handler's signal within 2 s, with the reason 'paused'; nothing is reported for it", async () => {
    const baton = new LocalBaton({ store: openSqliteStore(':memory:', { create: true }), policy: DEFAULT_POLICY, actor: 't' });
    const task = await baton.createTask({ title: 'handler work' });
    let started = false;
    let reason: unknown;
    let abortedAt = 0;
    const worker = work(baton, {
      id: 'js-1',
      pollSeconds: 0.05,
      handler: (_task, ctx) =>
        new Promise((resolve) => {
          started = true;
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            abortedAt = Date.now();
            resolve('stopped');
          });
        }),
    });
    try {
      await waitFor('the handler to start', () => started);
      const pausedAt = Date.now();
      await baton.pauseTask(task.id);
      await waitFor('the signal to fire', () => abortedAt > 0, 2_000);
      expect(reason).toBe('paused');
      expect(abortedAt - pausedAt).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'paused', result: null, retries: 0 });
    } finally {
      await worker.close();
      await baton.close();
    }
  });
});
