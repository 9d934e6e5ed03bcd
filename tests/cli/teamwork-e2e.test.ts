import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDetail, TeamView, WorkerLoad } from '../../src/app/baton.js';
import type { Task, Team, WorkerView } from '../../src/core/types.js';
import { postgresBackend, type StoreBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';
import { exited } from '../server/spawn.js';
import { startWorker, type WorkerProcess } from '../worker/helpers.js';
import { type CliResult, cliAsync } from './run-cli.js';

/**
 * Teams, collaborators, swarms, pipelines and leader-follower through the real binary, with four
 * real `baton worker` processes on each store: w1 (the leader), w2 and w3 in team `backend`, and w4
 * outside it. Their command answers by the task's title; a swarm's voters say "yes", except w4.
 */
const AGENT = `case "$BATON_TASK_TITLE" in
  "Team job"*) echo "::result {\\"by\\": \\"$BATON_WORKER_ID\\"}" ;;
  "Vote"*) if [ "$BATON_WORKER_ID" = w4 ]; then echo '::result "no"'; else echo '::result "yes"'; fi ;;
  "Pipe 1") echo '::result {"n": 1}' ;;
  "Pipe 2") n=$(node -e 'console.log(JSON.parse(process.env.BATON_TASK_INPUT).n + 1)'); echo "::result {\\"n\\": $n}" ;;
  "Pipe 3") n=$(node -e 'console.log(JSON.parse(process.env.BATON_TASK_INPUT).n * 10)'); echo "::result {\\"n\\": $n}" ;;
  *) echo "::result {\\"done\\": true, \\"by\\": \\"$BATON_WORKER_ID\\"}" ;;
esac
`;

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
const errorOf = (r: CliResult) => (JSON.parse(r.stderr) as { error: { code: string } }).error.code;

function json<T>(what: string, r: CliResult): T {
  if (r.code !== 0) throw new Error(`baton ${what} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe.each<StoreBackend>([sqliteBackend, postgresBackend])('teamwork with real workers on $name', (backend) => {
  let store: TestStore;
  const workers: WorkerProcess[] = [];
  const baton = (...args: string[]) => cliAsync(store.cwd, [...args, '--db', store.db]);
  const run = async <T>(...args: string[]) => json<T>(args.slice(0, 2).join(' '), await baton(...args, '--json'));
  const show = (id: number) => run<TaskDetail>('show', String(id));
  const tasks = async (...args: string[]) => (await run<{ tasks: Task[] }>('list', '--all', '-n', '500', ...args)).tasks;

  async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value) return value;
      if (Date.now() > deadline) {
        const logs = workers.map((w) => w.output().split('\n').slice(-10).join('\n')).join('\n---\n');
        throw new Error(`timed out waiting for ${what}\nworkers:\n${logs}`);
      }
      await sleep(250);
    }
  }
  const finished = (id: number) =>
    until(`#${id} to finish`, async () => {
      const t = (await show(id)).task;
      return ['completed', 'failed', 'cancelled'].includes(t.status) && t;
    });

  const launch = (id: string) =>
    workers.push(startWorker(store.cwd, [id, '-c', 'code', '--exec', 'sh agent.sh', '--db', store.db]));

  beforeAll(async () => {
    store = await backend.fresh();
    store.configure({ maxRetries: 0 });
    writeFileSync(join(store.cwd, 'agent.sh'), AGENT);
    for (const id of ['w1', 'w2', 'w3', 'w4']) launch(id);
    await until('four workers online', async () => (await run<WorkerView[]>('workers')).filter((w) => w.online).length === 4);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
      w.child.kill('SIGKILL');
      await exited(w.child);
    }
    await store?.remove();
  }, 60_000);

  it('refuses a team with an unknown member, coded and changing nothing; then makes the team', async () => {
    const refused = await baton('team', 'add', 'backend', '--members', 'w1,ghost', '--json');
    expect(refused.code).toBe(2);
    expect(errorOf(refused)).toBe('unknown_member');
    expect(JSON.parse(refused.stderr).error.details.unknown).toEqual(['ghost']);
    expect(await run<TeamView[]>('team', 'list')).toEqual([]);
    const team = await run<Team>('team', 'add', 'backend', '--members', 'w1,w2,w3', '--leader', 'w1');
    expect(team).toMatchObject({ name: 'backend', members: ['w1', 'w2', 'w3'], leader: 'w1' });
    const unknownTeam = await baton('add', 'Orphan', '--team', 'frontend', '--json');
    expect(unknownTeam.code).toBe(3);
    expect(errorOf(unknownTeam)).toBe('team_not_found');
  });

  it("gives a team's tasks to its members only, while an idle capable outsider waits", async () => {
    const added = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) => run<Task>('add', `Team job ${i}`, '-c', 'code', '--team', 'backend')),
    );
    const done = await Promise.all(added.map((t) => finished(t.id)));
    for (const t of done) {
      expect(t.status).toBe('completed');
      expect(['w1', 'w2', 'w3']).toContain(t.assignee);
      expect(t.result).toEqual({ by: t.assignee });
    }
    // Asked for by id (a task no running worker can do), an outsider is refused with the reason.
    const late = await run<Task>('add', 'Team job manual', '-c', 'manual', '--team', 'backend');
    const outsider = await baton('claim', String(late.id), '--worker', 'w9', '-c', 'manual', '--json');
    expect(outsider.code).toBe(2);
    expect(errorOf(outsider)).toBe('not_team_member');
    expect((await show(late.id)).task.status).toBe('queued');
    await run<Task>('cancel', String(late.id));

    const teams = await run<TeamView[]>('team', 'list');
    expect(teams[0]?.load.map((l) => l.id)).toEqual(['w1', 'w2', 'w3']);
    const doneByMembers = teams[0]?.load.reduce((n, l) => n + l.donePerHour, 0);
    expect(doneByMembers).toBe(6);
  }, 120_000);

  it('runs a 3-step pipeline, each step taking the previous result as its input', async () => {
    const one = await run<Task>('add', 'Pipe 1', '-c', 'code');
    const two = await run<Task>('add', 'Pipe 2', '-c', 'code', '--after', String(one.id), '--input-from', String(one.id));
    const three = await run<Task>('add', 'Pipe 3', '-c', 'code', '--input-from', String(two.id));
    expect(three.dependsOn).toEqual([two.id]);
    const last = await finished(three.id);
    expect(last).toMatchObject({ status: 'completed', input: { n: 2 }, result: { n: 20 }, inputFrom: two.id });
    expect((await show(two.id)).task).toMatchObject({ input: { n: 1 }, result: { n: 2 } });
  }, 120_000);

  it('runs a swarm of 3 on three different workers and merges by vote; refuses one larger than the workers', async () => {
    const before = (await tasks()).length;
    const tooLarge = await baton('add', 'Vote big', '-c', 'code', '--swarm', '5', '--merge', 'vote', '--json');
    expect(tooLarge.code).toBe(4);
    expect(errorOf(tooLarge)).toBe('swarm_too_large');
    expect(JSON.parse(tooLarge.stderr).error.details).toMatchObject({ size: 5, capable: 4 });
    expect((await tasks()).length).toBe(before);

    const swarm = await run<Task>('add', 'Vote on it', '-c', 'code', '--swarm', '3', '--merge', 'vote');
    expect(swarm.swarm).toEqual({ role: 'parent', size: 3, merge: 'vote', mergeCommand: null });
    const merged = await finished(swarm.id);
    const attempts = await tasks('--parent', String(swarm.id));
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.assignee)).size).toBe(3);
    expect(attempts.every((a) => a.status === 'completed')).toBe(true);
    // At most one of the three is w4's "no": the vote is "yes".
    expect(merged).toMatchObject({ status: 'completed', result: 'yes' });
    const event = (await show(swarm.id)).history.find((e) => e.type === 'completed');
    expect(event?.data).toMatchObject({ swarm: true, merge: 'vote' });
  }, 120_000);

  it('lets collaborators add notes, steps and artifacts as themselves while another worker holds the task', async () => {
    const task = await run<Task>('add', 'Pair on it', '-c', 'manual', '--collaborators', 'w3');
    const claimed = await run<Task>('claim', String(task.id), '--worker', 'w5', '-c', 'manual');
    await run<Task>('contribute', String(task.id), '--worker', 'w3', '--note', 'looked at the schema');
    await run<Task>(
      'contribute',
      String(task.id),
      '--worker',
      'w3',
      '--step',
      'review',
      '--progress',
      '40',
      '--artifacts',
      'notes.md',
    );
    const stranger = await baton('contribute', String(task.id), '--worker', 'w2', '--note', 'hi', '--json');
    expect(stranger.code).toBe(2);
    expect(errorOf(stranger)).toBe('not_collaborator');
    const during = (await show(task.id)).task;
    expect(during.lease).toMatchObject({ owner: 'w5', token: claimed.lease?.token });
    expect(during.progress).toBe(0);
    expect(during.notes).toEqual([expect.objectContaining({ by: 'w3', text: 'looked at the schema' })]);
    expect(during.checkpoints).toEqual([expect.objectContaining({ by: 'w3', name: 'review', progress: 40 })]);
    expect(during.artifacts).toEqual([expect.objectContaining({ by: 'w3', path: 'notes.md' })]);
    // The fenced write stays the holder's.
    const done = await run<Task>('done', String(task.id), '--worker', 'w5', '--token', String(claimed.lease?.token));
    expect(done.status).toBe('completed');
    const after = await baton('contribute', String(task.id), '--worker', 'w3', '--note', 'late', '--json');
    expect(errorOf(after)).toBe('illegal_transition');

    await run<Task>('add', 'Manual work', '-c', 'manual');
    const load = await run<WorkerLoad[]>('workers', '--load');
    expect(load.find((l) => l.id === 'w5')).toMatchObject({ running: 0, reserved: 0, donePerHour: 1, successRate: 1, demand: 1 });
    expect(load.find((l) => l.id === 'w4')).toMatchObject({ teams: [], demand: 0 });
  }, 120_000);

  it("reserves a led team's breakdown for the followers, and routes their review to the leader", async () => {
    const epic = await run<Task>(
      'add',
      'Build user authentication with login, signup and password reset',
      '-c',
      'code',
      '--team',
      'backend',
      '--hold',
    );
    const split = await run<{ subtasks: Task[] }>('breakdown', String(epic.id));
    expect(split.subtasks.length).toBeGreaterThanOrEqual(2);
    for (const s of split.subtasks) {
      expect(s.team).toBe('backend');
      expect(s.review?.required).toBe(true);
      expect(['w2', 'w3']).toContain(s.reservedFor);
    }
    // Balanced by load: both followers get work.
    expect(new Set(split.subtasks.map((s) => s.reservedFor)).size).toBe(2);
    const ids = split.subtasks.map((s) => s.id);
    const submitted = await until('the followers to submit', async () => {
      const subs = await Promise.all(ids.map(async (id) => (await show(id)).task));
      return subs.every((s) => s.status === 'reviewing') && subs;
    });
    for (const s of submitted) expect(s.review?.submittedBy).toBe(s.reservedFor);

    const sub = submitted[0] as Task;
    const peer = sub.review?.submittedBy === 'w2' ? 'w3' : 'w2';
    const byPeer = await baton('review', String(sub.id), '--worker', peer, '--pass', '--json');
    expect(byPeer.code).toBe(2);
    expect(errorOf(byPeer)).toBe('not_team_leader');
    expect((await show(sub.id)).task.status).toBe('reviewing');

    for (const s of submitted) {
      expect((await run<Task>('review', String(s.id), '--worker', 'w1', '--pass')).status).toBe('completed');
    }
    expect((await finished(epic.id)).status).toBe('completed');
  }, 120_000);
});
