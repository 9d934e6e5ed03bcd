import type { z } from 'zod';
import { BatonError, invalid } from '../core/errors.js';
import { assignPatch, can } from '../core/lifecycle.js';
import type { createTaskSchema } from '../core/schemas.js';
import { swarmOf } from '../core/swarm.js';
import { emptyReview } from '../core/task-records.js';
import { assertKnownWorkers, assertTeamMember, followersOf, mayClaimForTeam, pickFollower } from '../core/teams.js';
import type { Task, Team } from '../core/types.js';
import type { StoreTx } from '../store/store.js';
import type { AppContext } from './context.js';
import { assertSwarmWorkers } from './swarm-service.js';
import type { TaskWriter } from './task-writer.js';
import { requireTeam } from './team-service.js';

/** What creating and breaking down a task does for teams, collaborators, swarms and pipelines. */

type CreateInput = z.output<typeof createTaskSchema>;

/** Pipeline: a task takes its input from a task it depends on (`inputFrom` adds the dependency). */
export function withInputSource<T extends Pick<CreateInput, 'dependsOn' | 'inputFrom'>>(input: T): T {
  if (input.inputFrom === undefined) return input;
  return { ...input, dependsOn: [...new Set([...(input.dependsOn ?? []), input.inputFrom])] };
}

/** Every refusal of a task's teamwork fields, before anything is written. */
export async function checkTeamwork(ctx: AppContext, input: CreateInput): Promise<void> {
  checkSwarmFields(input);
  const team = input.team !== undefined ? await requireTeam(ctx, input.team) : null;
  if (team && input.assignee !== undefined) assertTeamMember({ team: team.name }, input.assignee, [team]);
  const needsWorkers = (input.collaborators?.length ?? 0) > 0 || input.swarm !== undefined;
  if (!needsWorkers) return;
  const workers = await ctx.store.listWorkers();
  if (input.collaborators) assertKnownWorkers('collaborators', input.collaborators, workers);
  assertSwarmWorkers(input, workers, team);
}

function checkSwarmFields(input: CreateInput): void {
  if (input.swarm === undefined) {
    if (input.merge !== undefined) throw invalid('merge', 'is the merge of a swarm: give swarm too');
    if (input.mergeCommand !== undefined)
      throw invalid('mergeCommand', 'is the merge step of a swarm: give swarm and merge command');
    return;
  }
  if (input.merge === 'command' && input.mergeCommand === undefined)
    throw invalid('mergeCommand', 'is required with merge command');
  if (input.mergeCommand !== undefined && input.merge !== 'command')
    throw invalid('merge', 'must be command when mergeCommand is given');
  const clash = (['assignee', 'every', 'hold', 'parentId'] as const).find((f) => input[f] !== undefined);
  if (clash) throw invalid('swarm', `cannot be combined with ${clash}: each attempt goes to a different worker`);
}

/**
 * Leader-follower: the subtasks of a led team's task are reserved each for the follower that fits
 * it best (`core/teams.ts` `pickFollower`) and require a review, which the leader gives.
 */
export async function routeToFollowers(
  ctx: AppContext,
  tx: StoreTx,
  writer: TaskWriter,
  written: { parent: Task; created: Task[] },
): Promise<{ parent: Task; created: Task[] }> {
  const team = written.parent.team ? (await ctx.store.listTeams()).find((t) => t.name === written.parent.team) : undefined;
  if (!team?.leader) return written;
  const followers = await followerWorkers(ctx, team);
  const held = new Map((await tx.pushView(0)).held);
  const created: Task[] = [];
  for (const sub of written.created) {
    const current = (await tx.getTask(sub.id)) as Task;
    if (!can(current, 'assign')) {
      created.push(current);
      continue;
    }
    const follower = pickFollower(current.capabilities, followers, held);
    const review = { ...(current.review ?? emptyReview()), required: true };
    const patch = follower ? { ...assignPatch(current, follower, writer.clock(tx)), review } : { review };
    if (follower) held.set(follower, (held.get(follower) ?? 0) + 1);
    const data = { worker: follower, follower: true, leader: team.leader, team: team.name };
    created.push(await writer.apply(tx, current, { type: follower ? 'assigned' : 'updated', patch, data }));
  }
  return { parent: (await tx.getTask(written.parent.id)) as Task, created };
}

async function followerWorkers(ctx: AppContext, team: Team) {
  const ids = new Set(followersOf(team));
  return (await ctx.store.listWorkers()).filter((w) => ids.has(w.id) && w.state === 'active');
}

/** Why a claim of one task by id found nothing, as far as teams and swarms go (null: not for these). */
export async function teamworkRefusal(ctx: AppContext, task: Task, worker: string): Promise<BatonError | null> {
  if (task.team !== null && !mayClaimForTeam(task, worker, await ctx.store.listTeams())) {
    return new BatonError('not_team_member', `task ${task.id} belongs to team ${task.team}, and ${worker} is not a member`, {
      id: task.id,
      team: task.team,
    });
  }
  const of = swarmOf(task);
  if (of === null) return null;
  const parent = await ctx.store.getTask(of);
  const siblings = parent ? await ctx.store.getTasks(parent.dependsOn) : [];
  const taken = siblings.find(
    (s) => swarmOf(s) === of && s.id !== task.id && (s.assignee === worker || s.reservedFor === worker),
  );
  if (!taken) return null;
  return new BatonError(
    'swarm_sibling_taken',
    `${worker} already took attempt #${taken.id} of swarm #${of}; another worker takes this one`,
    {
      id: task.id,
      swarm: of,
      taken: taken.id,
    },
  );
}

/** A swarm's attempts are the same work run N times: splitting one would leave the merge nothing to compare. */
export function assertNotSwarm(task: Task): void {
  if (task.swarm === null) return;
  throw new BatonError(
    'illegal_transition',
    `cannot break down task ${task.id}: it is ${task.swarm.role === 'parent' ? 'a swarm' : 'an attempt of a swarm'}`,
    {
      id: task.id,
      status: task.status,
      action: 'breakdown',
    },
  );
}
