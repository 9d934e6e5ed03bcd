import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

/** Registers workers with the capability `code` (and any given). */
async function crew(baton: Baton, ids: string[], capabilities = ['code']): Promise<void> {
  for (const id of ids) await baton.registerWorker({ id, capabilities });
}

/** Teams, collaborators, pipelines and leader-follower (`core/teams.ts`). */
export function teamContract(store: () => StoreHarness): void {
  describe('teams and collaborators', () => {
    it('makes a team of registered workers, and refuses an unknown member or a leader outside it, changing nothing', async () => {
      const baton = await store().open();
      await crew(baton, ['w1', 'w2']);
      const err = await expectRefusedUnchanged(
        baton,
        () => baton.addTeam({ name: 'backend', members: ['w1', 'ghost'] }),
        'unknown_member',
        'members',
      );
      expect(err.details?.unknown).toEqual(['ghost']);
      await expectRefusedUnchanged(
        baton,
        () => baton.addTeam({ name: 'backend', members: ['w1'], leader: 'w2' }),
        'invalid_argument',
        'leader',
      );
      expect(await baton.listTeams()).toEqual([]);
      const team = await baton.addTeam({ name: 'backend', members: ['w2', 'w1', 'w2'], leader: 'w1' });
      expect(team).toMatchObject({ name: 'backend', members: ['w1', 'w2'], leader: 'w1' });
      const again = await baton.addTeam({ name: 'backend', members: ['w2'] });
      expect(again).toMatchObject({ members: ['w2'], leader: null, createdAt: team.createdAt });
      const [listed] = await baton.listTeams();
      expect(listed).toMatchObject({ name: 'backend', members: ['w2'], load: [{ id: 'w2', running: 0, reserved: 0 }] });
      await expectRefusedUnchanged(baton, () => baton.createTask({ title: 't', team: 'nobody' }), 'team_not_found', 'team');
    });

    it('carries teams through export and import, so a team task stays claimable by its members', async () => {
      const baton = await store().open();
      await crew(baton, ['m1', 'm2']);
      await baton.addTeam({ name: 'backend', members: ['m1', 'm2'], leader: 'm1' });
      const task = await baton.createTask({ title: 'Team work', team: 'backend' });
      const dump = await baton.exportData();
      expect(dump.teams).toEqual([expect.objectContaining({ name: 'backend', members: ['m1', 'm2'], leader: 'm1' })]);
      const other = await store().openAnother();
      await other.importData(JSON.parse(JSON.stringify(dump)));
      expect((await other.listTeams()).map((t) => t.name)).toEqual(['backend']);
      expect(await other.claimMany({ workerId: 'outsider', limit: 1 })).toEqual([]);
      expect((await other.claimMany({ workerId: 'm2', limit: 1 }))[0]?.id).toBe(task.id);
    });

    it("gives a team's task to its members only, in every claim and by id", async () => {
      const baton = await store().open();
      await crew(baton, ['m1', 'm2', 'out']);
      await baton.addTeam({ name: 'backend', members: ['m1', 'm2'] });
      const task = await baton.createTask({ title: 'Team work', capabilities: ['code'], team: 'backend' });
      expect(task.team).toBe('backend');
      expect(await baton.claimMany({ workerId: 'out', limit: 5 })).toEqual([]);
      await expectRefusedUnchanged(baton, () => baton.assignTask(task.id, 'out'), 'not_team_member', 'assignee');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'Reserved', team: 'backend', assignee: 'out' }),
        'not_team_member',
        'assignee',
      );
      const byId = await refusal(baton.claimTask(task.id, { workerId: 'out' }));
      expect(byId.code).toBe('not_team_member');
      expect((await baton.getTask(task.id)).status).toBe('queued');
      // Why a team's task waits counts its members only: an outsider able to do it does not help.
      await baton.registerWorker({ id: 'gpu-out', capabilities: ['gpu'] });
      const render = await baton.createTask({ title: 'Render', capabilities: ['gpu'], team: 'backend' });
      expect((await baton.showTask(render.id)).waiting).toMatchObject({
        reason: 'no_capable_worker',
        message: 'no online worker has gpu (only members of team backend may claim it)',
      });
      const [claimed] = await baton.claimMany({ workerId: 'm2', limit: 5 });
      expect(claimed).toMatchObject({ id: task.id, assignee: 'm2' });
      const load = await baton.workerLoad();
      expect(load.find((l) => l.id === 'm2')).toMatchObject({ running: 1, teams: ['backend'] });
      expect(load.find((l) => l.id === 'out')).toMatchObject({ running: 0, teams: [] });
    });

    it('counts per worker the ready work it could serve, its reservations and its finished work', async () => {
      const baton = await store().open();
      await crew(baton, ['a', 'b']);
      await baton.registerWorker({ id: 'gpu', capabilities: ['code', 'gpu'] });
      await baton.addTeam({ name: 'core', members: ['a'] });
      await baton.createTask({ title: 'any', capabilities: ['code'] });
      await baton.createTask({ title: 'team', capabilities: ['code'], team: 'core' });
      await baton.createTask({ title: 'gpu', capabilities: ['gpu'] });
      await baton.createTask({ title: 'for b', capabilities: ['code'], assignee: 'b' });
      const byId = new Map((await baton.workerLoad()).map((l) => [l.id, l]));
      expect(byId.get('a')).toMatchObject({ demand: 2, reserved: 0, successRate: null });
      expect(byId.get('b')).toMatchObject({ demand: 2, reserved: 1 });
      expect(byId.get('gpu')).toMatchObject({ demand: 2 });
      const [held] = await baton.claimMany({ workerId: 'a', limit: 1 });
      await baton.complete(held?.id as number, { workerId: 'a', token: held?.lease?.token });
      expect((await baton.workerLoad()).find((l) => l.id === 'a')).toMatchObject({ donePerHour: 1, successRate: 1 });
    });

    it('records collaborators’ notes, steps and artifacts as theirs while another holds the lease', async () => {
      const baton = await store().open();
      await crew(baton, ['holder', 'pair', 'stranger']);
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 't', collaborators: ['pair', 'ghost'] }),
        'unknown_member',
        'collaborators',
      );
      const task = await baton.createTask({ title: 'Pair', collaborators: ['pair'] });
      expect(task.collaborators).toEqual(['pair']);
      const early = await refusal(baton.contribute(task.id, { workerId: 'pair', note: 'too soon' }));
      expect(early.code).toBe('illegal_transition');
      const claimed = await baton.claimTask(task.id, { workerId: 'holder' });
      await baton.reportProgress(task.id, { workerId: 'holder', token: claimed.lease?.token, progress: 30 });
      const after = await baton.contribute(task.id, {
        workerId: 'pair',
        note: 'reviewed the plan',
        step: 'tests',
        progress: 80,
        artifacts: ['tests.md'],
      });
      expect(after).toMatchObject({ progress: 30, lease: { owner: 'holder', token: claimed.lease?.token } });
      expect(after.notes.at(-1)).toMatchObject({ by: 'pair', text: 'reviewed the plan' });
      expect(after.checkpoints.at(-1)).toMatchObject({ by: 'pair', name: 'tests', progress: 80 });
      expect(after.artifacts).toEqual([expect.objectContaining({ by: 'pair', path: 'tests.md' })]);
      const event = (await baton.showTask(task.id)).history.at(-1);
      expect(event).toMatchObject({ type: 'contributed', workerId: 'pair', actor: 'pair' });
      expect((await refusal(baton.contribute(task.id, { workerId: 'stranger', note: 'hi' }))).code).toBe('not_collaborator');
      await expectRefusedUnchanged(baton, () => baton.contribute(task.id, { workerId: 'pair' }), 'invalid_argument', 'note');
      const done = await baton.complete(task.id, { workerId: 'holder', token: claimed.lease?.token });
      expect(done.status).toBe('completed');
    });

    it("pipes a finished dependency's result into the input of the task that takes it, when it becomes ready", async () => {
      const baton = await store().open();
      const first = await baton.createTask({ title: 'one' });
      const second = await baton.createTask({ title: 'two', inputFrom: first.id, input: { ignored: true } });
      expect(second).toMatchObject({ status: 'blocked', dependsOn: [first.id], inputFrom: first.id });
      const [held] = await baton.claimMany({ workerId: 'w', limit: 1 });
      await baton.complete(first.id, { workerId: 'w', token: held?.lease?.token, result: { rows: 3 } });
      expect(await baton.getTask(second.id)).toMatchObject({ status: 'queued', input: { rows: 3 } });
      // Taking from a task already finished: the input is there at once.
      const third = await baton.createTask({ title: 'three', inputFrom: first.id });
      expect(third).toMatchObject({ status: 'queued', input: { rows: 3 } });
      await expectRefusedUnchanged(baton, () => baton.createTask({ title: 'x', inputFrom: 999 }), 'task_not_found');
    });

    it("reserves a led team's breakdown for followers by fit and load, and lets only the leader review them", async () => {
      const baton = await store().open();
      await crew(baton, ['lead', 'f1', 'f2']);
      await baton.addTeam({ name: 'squad', members: ['lead', 'f1', 'f2'], leader: 'lead' });
      const epic = await baton.createTask({
        title: 'Build user authentication with login, signup and password reset',
        capabilities: ['code'],
        team: 'squad',
        hold: true,
      });
      const { subtasks } = await baton.breakdown(epic.id);
      expect(subtasks.length).toBeGreaterThanOrEqual(2);
      for (const s of subtasks) expect(s).toMatchObject({ team: 'squad', review: { required: true } });
      const reserved = subtasks.map((s) => s.reservedFor);
      expect(new Set(reserved)).toEqual(new Set(['f1', 'f2']));
      const first = subtasks.find((s) => s.status === 'assigned') as (typeof subtasks)[number];
      const worker = first.reservedFor as string;
      const claimed = await baton.claimTask(first.id, { workerId: worker });
      const submitted = await baton.complete(first.id, { workerId: worker, token: claimed.lease?.token, result: 'ok' });
      expect(submitted.status).toBe('reviewing');
      const peer = worker === 'f1' ? 'f2' : 'f1';
      const byPeer = await refusal(baton.review(first.id, { workerId: peer, pass: true }));
      expect(byPeer.code).toBe('not_team_leader');
      expect(await baton.review(first.id, { workerId: 'lead', pass: true })).toMatchObject({ status: 'completed' });
    });
  });
}
