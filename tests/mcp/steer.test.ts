import { describe, expect, it } from 'vitest';
import { useProject } from './helpers.js';

/** The steering tools an agent uses: change, cancel, hold, resume, retry, undepend, search; list_tasks filters. */
describe('baton mcp: steering tools', () => {
  const project = useProject({ workerId: 'steerer' });

  it('update_task, pause_task, resume_task, cancel_task, retry_task change the task; ifVersion guards', async () => {
    const task = await project.baton.createTask({ title: 'Steer me', noBreakdown: true });
    const updated = await project.agent.call('update_task', {
      id: task.id,
      priority: 'high',
      addTags: ['x'],
      ifVersion: task.version,
    });
    expect(updated.isError).toBe(false);
    expect((await project.baton.getTask(task.id)).priority).toBe('high');
    const stale = await project.agent.call('update_task', { id: task.id, title: 'late', ifVersion: task.version });
    expect([stale.isError, stale.data.error.code]).toEqual([true, 'version_mismatch']);
    expect((await project.agent.call('pause_task', { id: task.id })).data.task.status).toBe('paused');
    expect((await project.agent.call('resume_task', { id: task.id })).data.task.status).toBe('queued');
    expect((await project.agent.call('cancel_task', { id: task.id, reason: 'not needed' })).data.task.status).toBe('cancelled');
    const again = await project.agent.call('cancel_task', { id: task.id });
    expect([again.isError, again.data.error.code]).toEqual([true, 'illegal_transition']);
    expect((await project.agent.call('retry_task', { id: task.id })).data.task.status).toBe('queued');
    await project.baton.cancelTask(task.id);
  });

  it('remove_dependency lets a blocked task run', async () => {
    const first = await project.baton.createTask({ title: 'First', noBreakdown: true });
    const second = await project.baton.createTask({ title: 'Second', dependsOn: [first.id], noBreakdown: true });
    const reply = await project.agent.call('remove_dependency', { id: second.id, dependsOn: first.id });
    expect([reply.isError, reply.data.task.status]).toEqual([false, 'queued']);
    const gone = await project.agent.call('remove_dependency', { id: second.id, dependsOn: first.id });
    expect([gone.isError, gone.data.error.code]).toEqual([true, 'invalid_argument']);
    for (const t of [first, second]) await project.baton.cancelTask(t.id);
  });

  it('add_dependency and remove_dependency with ifVersion refuse a task changed since it was read', async () => {
    const first = await project.baton.createTask({ title: 'Read first', noBreakdown: true });
    const second = await project.baton.createTask({ title: 'Then this', noBreakdown: true });
    await project.baton.updateTask(second.id, { title: 'Then this, renamed' });
    const stale = await project.agent.call('add_dependency', { id: second.id, dependsOn: [first.id], ifVersion: second.version });
    expect([stale.isError, stale.data.error.code]).toEqual([true, 'version_mismatch']);
    const added = await project.agent.call('add_dependency', {
      id: second.id,
      dependsOn: [first.id],
      ifVersion: second.version + 1,
    });
    expect([added.isError, added.data.dependsOn]).toEqual([false, [first.id]]);
    const old = await project.agent.call('remove_dependency', {
      id: second.id,
      dependsOn: first.id,
      ifVersion: second.version + 1,
    });
    expect([old.isError, old.data.error.code]).toEqual([true, 'version_mismatch']);
    expect((await project.baton.getTask(second.id)).dependsOn).toEqual([first.id]);
    for (const t of [first, second]) await project.baton.cancelTask(t.id);
  });

  it('search_tasks and list_tasks find tasks by text, priority and capability; open tasks in claim order by default', async () => {
    const low = await project.baton.createTask({ title: 'Rotate the certificates', priority: 'low', noBreakdown: true });
    const crit = await project.baton.createTask({
      title: 'Certificate expired in prod',
      priority: 'critical',
      capabilities: ['ops'],
      noBreakdown: true,
    });
    const done = await project.baton.createTask({ title: 'Old certificate audit', noBreakdown: true });
    await project.baton.cancelTask(done.id);
    const found = await project.agent.call('search_tasks', { q: 'certificate' });
    expect(found.data.tasks.map((t: { id: number }) => t.id)).toEqual([crit.id, low.id]);
    const all = await project.agent.call('search_tasks', { q: 'certificate', all: true });
    expect(all.data.total).toBe(3);
    const listed = await project.agent.call('list_tasks', { q: 'certif' });
    expect(listed.data.tasks.map((t: { id: number }) => t.id)).toEqual([crit.id, low.id]);
    expect((await project.agent.call('list_tasks', { priority: ['low'], q: 'certificates' })).data.total).toBe(1);
    expect((await project.agent.call('list_tasks', { capability: ['ops'] })).data.tasks[0].id).toBe(crit.id);
    for (const t of [low, crit]) await project.baton.cancelTask(t.id);
  });

  it('refuses bad input of every steering tool with a coded error naming the field, and changes nothing', async () => {
    const task = await project.baton.createTask({ title: 'Untouched', noBreakdown: true });
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['update_task', { id: task.id, priority: 'urgent' }, 'invalid_argument', /^priority:/],
      ['update_task', { id: task.id, title: '   ' }, 'invalid_argument', /^title:/],
      ['update_task', { id: task.id, title: 'x'.repeat(201) }, 'invalid_argument', /^title:/],
      ['update_task', { id: task.id, command: 'rm -rf /' }, 'invalid_argument', /unknown field command/],
      ['update_task', { id: 999_999, title: 'x' }, 'task_not_found', /999999/],
      ['cancel_task', { id: 'one' }, 'invalid_argument', /^id:/],
      ['cancel_task', { id: task.id, reason: 'r'.repeat(3000) }, 'invalid_argument', /^reason:/],
      ['pause_task', { id: 0 }, 'invalid_argument', /^id:/],
      ['resume_task', { id: task.id }, 'illegal_transition', /resume/],
      ['retry_task', { id: task.id }, 'illegal_transition', /retry/],
      ['remove_dependency', { id: task.id }, 'invalid_argument', /^dependsOn:/],
      ['search_tasks', {}, 'invalid_argument', /^q:/],
      ['search_tasks', { q: '' }, 'invalid_argument', /^q:/],
      ['search_tasks', { q: '%%%' }, 'invalid_argument', /^q:/],
      ['search_tasks', { q: 'x'.repeat(501) }, 'invalid_argument', /^q:/],
      ['list_tasks', { sort: 'random' }, 'invalid_argument', /^sort:/],
      ['list_tasks', { priority: ['urgent'] }, 'invalid_argument', /^priority/],
    ];
    for (const [tool, args, code, message] of cases) {
      const reply = await project.agent.call(tool, args);
      expect(reply.isError, `${tool} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
      expect(reply.data.error.code, tool).toBe(code);
      expect(reply.data.error.message, tool).toMatch(message);
    }
    expect((await project.baton.getTask(task.id)).version).toBe(task.version);
    await project.baton.cancelTask(task.id);
  });
});
