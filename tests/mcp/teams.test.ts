import { describe, expect, it } from 'vitest';
import { useProject } from './helpers.js';

describe('baton mcp: teams and collaborators', () => {
  const project = useProject({
    workerId: 'helper',
    prepare: async (baton) => {
      for (const id of ['holder', 'helper', 'peer']) await baton.registerWorker({ id, capabilities: ['code'] });
      await baton.addTeam({ name: 'backend', members: ['holder', 'peer'], leader: 'holder' });
    },
  });

  it('lists teams with their load, creates a team task with collaborators, and contributes to it as the agent', async () => {
    const teams = await project.agent.call('list_teams');
    expect(teams.isError).toBe(false);
    expect(teams.summary).toContain('backend (leader holder)');
    expect(teams.data.teams[0].load.map((l: { id: string }) => l.id)).toEqual(['holder', 'peer']);

    const created = await project.agent.call('create_task', {
      title: 'Pair on the schema',
      team: 'backend',
      collaborators: ['helper'],
      noBreakdown: true,
    });
    expect(created.isError).toBe(false);
    const id = created.data.task.id as number;
    expect(created.data.task).toMatchObject({ team: 'backend', collaborators: ['helper'] });
    expect(await project.baton.getTask(id)).toMatchObject({ team: 'backend', collaborators: ['helper'] });
    // The agent is not of the team: next_task does not give it the task.
    expect((await project.agent.call('next_task')).data.task).toBeNull();

    const early = await project.agent.call('contribute', { id, note: 'too soon' });
    expect(early.isError).toBe(true);
    expect(early.data.error.code).toBe('illegal_transition');
    const [held] = await project.baton.claimMany({ workerId: 'holder', limit: 1 });
    expect(held?.id).toBe(id);
    const done = await project.agent.call('contribute', { id, note: 'checked the indexes', step: 'indexes', progress: 50 });
    expect(done.isError).toBe(false);
    const task = await project.baton.getTask(id);
    expect(task.notes.at(-1)).toMatchObject({ by: 'helper', text: 'checked the indexes' });
    expect(task.checkpoints.at(-1)).toMatchObject({ by: 'helper', name: 'indexes', progress: 50 });
    expect(task.lease?.owner).toBe('holder');
  });
});
