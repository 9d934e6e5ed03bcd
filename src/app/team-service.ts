import { BatonError } from '../core/errors.js';
import { type ContributeInput, contributeSchema, parseWith, type TeamInput, teamSchema } from '../core/schemas.js';
import { assertCollaborator, assertKnownWorkers, teamNotFound, type WorkerLoad, workerLoads } from '../core/teams.js';
import type { Task, Team } from '../core/types.js';
import { type AppContext, changeTask, writeTasks } from './context.js';
import { readPages } from './insight-service.js';
import type { TeamView } from './team-types.js';

/** Teams, collaborators' writes and the workload view (rules in `core/teams.ts`). */

const iso = (ms: number) => new Date(ms).toISOString();
/** Ready and held tasks read for the load view; beyond this, the first in claim order stand for the rest. */
const LOAD_SAMPLE = 5000;
const DAY_MS = 86_400_000;

export async function addTeam(ctx: AppContext, raw: TeamInput): Promise<Team> {
  const input = parseWith(teamSchema, raw);
  assertKnownWorkers('members', input.members, await ctx.store.listWorkers());
  const existing = (await ctx.store.listTeams()).find((t) => t.name === input.name);
  return writeTasks(ctx, async (tx) => {
    const team: Team = {
      name: input.name,
      members: [...input.members].sort(),
      leader: input.leader ?? null,
      createdAt: existing?.createdAt ?? iso(tx.now),
    };
    await tx.putTeam(team);
    await tx.appendEvent({
      taskId: null,
      workerId: null,
      actor: ctx.actor,
      type: existing ? 'team_changed' : 'team_added',
      at: iso(tx.now),
      changes: existing ? { members: [existing.members, team.members], leader: [existing.leader, team.leader] } : {},
      data: { team: team.name, members: team.members, leader: team.leader },
    });
    return team;
  });
}

export async function listTeams(ctx: AppContext): Promise<TeamView[]> {
  const [teams, loads] = await Promise.all([ctx.store.listTeams(), workerLoad(ctx)]);
  const byId = new Map(loads.map((l) => [l.id, l]));
  return teams.map((t) => ({ ...t, load: t.members.map((m) => byId.get(m) ?? absent(m)) }));
}

/** A member no longer registered: it carries no load and serves nothing. */
function absent(id: string): WorkerLoad {
  return {
    id,
    online: false,
    health: 'offline',
    capabilities: [],
    running: 0,
    reserved: 0,
    donePerHour: 0,
    successRate: null,
    demand: 0,
    teams: [],
  };
}

/** The team a task names (refused when it does not exist). */
export async function requireTeam(ctx: AppContext, name: string): Promise<Team> {
  const team = (await ctx.store.listTeams()).find((t) => t.name === name);
  if (!team) throw teamNotFound(name);
  return team;
}

export async function workerLoad(ctx: AppContext): Promise<WorkerLoad[]> {
  const now = await ctx.store.now();
  const [workers, held, ready, finished, teams] = await Promise.all([
    ctx.presence.list(),
    readPages(ctx, { status: ['executing', 'assigned'] }, LOAD_SAMPLE),
    readPages(ctx, { ready: true, sort: 'claim' }, LOAD_SAMPLE),
    readPages(
      ctx,
      { status: ['completed', 'failed'], sort: 'updated' },
      LOAD_SAMPLE,
      (t) => Date.parse(t.updatedAt) <= now - DAY_MS,
    ),
    ctx.store.listTeams(),
  ]);
  return workerLoads({ workers, held, ready, finished, teams, now });
}

/** A collaborator's write; the lease stays the holder's (no token, no renewal, no progress of the task's). */
export async function contribute(ctx: AppContext, id: number, raw: ContributeInput): Promise<Task> {
  const input = parseWith(contributeSchema, raw);
  const by = input.workerId;
  return changeTask(ctx, id, async (task, _tx, time) => {
    assertCollaborator(task, by);
    if (task.lease?.owner === by) {
      throw new BatonError('invalid_argument', `workerId: ${by} holds task ${id}; report through its lease instead`, {
        field: 'workerId',
      });
    }
    const at = iso(time.now);
    const notes = input.note ? [...task.notes, { at, by, text: input.note }] : task.notes;
    const checkpoints = input.step
      ? [...task.checkpoints, { at, by, name: input.step, progress: input.progress ?? task.progress }]
      : task.checkpoints;
    const artifacts = [...task.artifacts, ...(input.artifacts ?? []).map((path) => ({ at, by, path }))];
    return {
      type: 'contributed',
      patch: { notes, checkpoints, artifacts },
      workerId: by,
      data: { collaborator: by, holder: task.lease?.owner ?? null },
    };
  });
}
