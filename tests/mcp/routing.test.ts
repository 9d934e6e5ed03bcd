import { describe, expect, it } from 'vitest';
import { useProject } from './helpers.js';

describe('baton mcp: claim_task and stuck work', () => {
  const project = useProject({ workerId: 'agent-a' });

  it('claims the task it was asked to do, held and renewed by the session', async () => {
    await project.baton.createTask({ title: 'Most urgent', priority: 'critical', noBreakdown: true });
    const chosen = await project.baton.createTask({ title: 'The one asked for', capabilities: ['docs'], noBreakdown: true });
    const reply = await project.agent.call('claim_task', { id: chosen.id, capabilities: ['docs'] });
    expect(reply.isError).toBe(false);
    expect(reply.data.task).toMatchObject({ id: chosen.id, status: 'executing', assignee: 'agent-a' });
    expect(reply.data.held).toEqual([chosen.id]);
    const done = await project.agent.call('complete_task', { id: chosen.id });
    expect(done.isError).toBe(false);
    expect((await project.baton.getTask(chosen.id)).status).toBe('completed');
  });

  it('is refused with the code and what to do next', async () => {
    const rust = await project.baton.createTask({ title: 'Rust port', capabilities: ['rust'], noBreakdown: true });
    const reply = await project.agent.call('claim_task', { id: rust.id });
    expect(reply.isError).toBe(true);
    expect(reply.data.error).toMatchObject({ code: 'missing_capabilities', next: expect.stringMatching(/next_task/) });
    expect((await project.baton.getTask(rust.id)).status).toBe('queued');
  });

  it('system_status and get_task say what nobody is taking and why', async () => {
    const status = await project.agent.call('system_status');
    expect(status.summary).toContain('stuck: 1 ready task needs capabilities no online worker has: rust ×1');
    expect(status.data.stuck.unclaimable).toEqual({ tasks: 1, capabilities: { rust: 1 } });
    const [rust] = (await project.baton.listTasks({ ready: true })).tasks.filter((t) => t.title === 'Rust port');
    const task = await project.agent.call('get_task', { id: rust?.id });
    expect(task.data.waiting).toMatchObject({ reason: 'no_capable_worker', capabilities: ['rust'] });
  });
});
