import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.js';
import { type Agent, connect, eventually, sleep, useProject } from './helpers.js';

const TASKS = 150;

/** Claims and completes until the board has nothing left for this agent; returns what it completed. */
async function drain(agent: Agent): Promise<number[]> {
  const done: number[] = [];
  for (;;) {
    const claim = await agent.call('next_task');
    if (claim.isError) throw new Error(claim.summary);
    if (claim.data.task === null) return done;
    const id = claim.data.task.id as number;
    const finish = await agent.call('complete_task', { id, result: { by: claim.data.lease.workerId } });
    if (finish.isError) throw new Error(finish.summary);
    done.push(id);
  }
}

describe('baton mcp: several agents on one board', () => {
  const project = useProject();

  it('three agents drain 150 tasks: each completed exactly once', async () => {
    for (let i = 0; i < TASKS; i++)
      await project.baton.createTask({ title: `crew task ${i}`, noBreakdown: true, tags: ['crew'] });
    const agents = await Promise.all(
      ['crew-1', 'crew-2', 'crew-3'].map((id) => connect(project.dir, { args: ['--worker', id] })),
    );
    try {
      const results = await Promise.all(agents.map(drain));
      // Every agent got a share: they really ran side by side.
      for (const done of results) expect(done.length).toBeGreaterThan(0);
      const all = results.flat();
      expect(all).toHaveLength(TASKS);
      expect(new Set(all).size).toBe(TASKS);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
    // From the history: one claim and one completion per task, by the agent whose result it holds.
    const { tasks } = await project.baton.listTasks({ tag: 'crew', limit: TASKS });
    expect(tasks.every((t) => t.status === 'completed')).toBe(true);
    const events = await project.baton.events({ limit: 100_000 });
    for (const task of tasks) {
      const mine = events.filter((e) => e.taskId === task.id);
      expect(
        mine.filter((e) => e.type === 'claimed'),
        `task ${task.id} claims`,
      ).toHaveLength(1);
      const completed = mine.filter((e) => e.type === 'completed');
      expect(completed, `task ${task.id} completions`).toHaveLength(1);
      expect(completed[0]?.workerId).toBe((task.result as { by: string }).by);
    }
  });

  it('an agent that disconnects mid-task hands its task back to the queue', async () => {
    const task = await project.baton.createTask({ title: 'abandoned halfway', noBreakdown: true });
    const quitter = await connect(project.dir, { args: ['--worker', 'quitter'] });
    const claim = await quitter.call('next_task');
    expect(claim.data.task.id).toBe(task.id);
    await quitter.call('report_progress', { id: task.id, progress: 30 });
    // Released on stdin's end, by a server that then exits by itself, without a signal.
    expect(await quitter.disconnect()).toBe(0);

    const after = await project.baton.getTask(task.id);
    expect(after).toMatchObject({ status: 'queued', lease: null });
    const events = await project.baton.events({ taskId: task.id });
    expect(events.at(-1)).toMatchObject({ type: 'released', workerId: 'quitter' });
    expect((await project.baton.listWorkers()).find((w) => w.id === 'quitter')?.state).toBe('stopped');

    const successor = await connect(project.dir, { args: ['--worker', 'successor'] });
    try {
      const again = await successor.call('next_task');
      expect(again.data.task.id).toBe(task.id);
      expect(again.data.lease.token).toBe(2);
      expect((await successor.call('complete_task', { id: task.id })).isError).toBe(false);
    } finally {
      await successor.close();
    }
  });

  it('an agent that disconnects while waiting for work leaves nothing held', async () => {
    const waiter = await connect(project.dir, { args: ['--worker', 'waiter'] });
    // The longest wait an agent may ask for, longer than this test may run: a server that sat it
    // out instead of stopping at once would time the test out.
    const waiting = waiter.call('next_task', { waitSeconds: LIMITS.mcpClaimWaitSeconds }).catch(() => null);
    await sleep(200);
    expect(await waiter.disconnect()).toBe(0);
    await waiting;
    const task = await project.baton.createTask({ title: 'arrives after the waiter left', noBreakdown: true });
    await sleep(300);
    expect((await project.baton.getTask(task.id)).status).toBe('queued');
    await project.baton.cancelTask(task.id);
  }, 40_000);

  it('an agent killed outright loses its task when the lease runs out', async () => {
    const task = await project.baton.createTask({ title: 'owner will crash', noBreakdown: true });
    const doomed = await connect(project.dir, { args: ['--worker', 'doomed', '--lease', '1'] });
    expect((await doomed.call('next_task')).data.task.id).toBe(task.id);
    process.kill(doomed.transport.pid as number, 'SIGKILL');
    await doomed.close().catch(() => undefined);

    const rescued = await eventually(async () => (await project.baton.claim({ workerId: 'rescuer' }))?.id === task.id, 5000);
    expect(rescued).toBe(true);
    const types = (await project.baton.events({ taskId: task.id })).map((e) => e.type);
    expect(types).toContain('lease_expired');
    await project.baton.complete(task.id, { workerId: 'rescuer' });
  });
});
