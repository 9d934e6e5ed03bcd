import { BatonError } from './errors.js';
import { swarmOf } from './swarm.js';
import type { Task, Team, Worker, WorkerView } from './types.js';

/**
 * Teams and collaborators. A task of a team is claimable by its members only (the stores' claim
 * statements read `team_members`). A team with a leader is led: breaking down one of its tasks
 * reserves each subtask for the follower that fits it best (`pickFollower`) and requires a review,
 * and a follower's result is reviewed by the leader alone (`assertLeaderReview`). Collaborators
 * named on a task add notes, progress steps and artifacts under their own names while another
 * worker holds the lease; the fenced writes (progress, complete, fail) stay the holder's.
 */

/** Names among `ids` that are not registered workers (a team or a collaborator list must name workers). */
export function unknownWorkers(ids: readonly string[], workers: readonly Pick<Worker, 'id'>[]): string[] {
  const known = new Set(workers.map((w) => w.id));
  return ids.filter((id) => !known.has(id));
}

export function assertKnownWorkers(field: string, ids: readonly string[], workers: readonly Pick<Worker, 'id'>[]): void {
  const unknown = unknownWorkers(ids, workers);
  if (unknown.length === 0) return;
  throw new BatonError(
    'unknown_member',
    `${field}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a registered worker' : 'are not registered workers'}`,
    {
      field,
      unknown,
    },
  );
}

export function teamNotFound(name: string): BatonError {
  return new BatonError('team_not_found', `team ${name} not found (create it with baton team add)`, { field: 'team', name });
}

/** Whether `worker` may claim `task` as far as its team goes. */
export function mayClaimForTeam(task: Pick<Task, 'team'>, worker: string, teams: readonly Team[]): boolean {
  if (task.team === null) return true;
  return teams.some((t) => t.name === task.team && t.members.includes(worker));
}

/**
 * Hybrid assignment never pushes a team's task or a swarm's task: only the claim statement checks
 * members and swarm siblings, so such a task is left for a member to pull.
 */
export const claimOnly = (task: Pick<Task, 'team' | 'swarm'>): boolean => task.team !== null || task.swarm !== null;

/** A reservation or claim of a team's task names one of its members. */
export function assertTeamMember(task: Pick<Task, 'team'> & { id?: number }, worker: string, teams: readonly Team[]): void {
  if (mayClaimForTeam(task, worker, teams)) return;
  const what = task.id !== undefined ? `task ${task.id}` : 'the task';
  throw new BatonError('not_team_member', `assignee: ${worker} is not a member of team ${task.team}, which ${what} belongs to`, {
    ...(task.id !== undefined && { id: task.id }),
    team: task.team,
    field: 'assignee',
  });
}

/** The members of a led team who are not its leader. */
export function followersOf(team: Team): string[] {
  return team.members.filter((m) => m !== team.leader);
}

/**
 * The follower a subtask goes to: among those holding every capability it needs, the one holding
 * the fewest tasks (leases and reservations, counting those given in this same breakdown), then
 * by id. Null when no follower fits (the subtask then waits for any member to claim it).
 */
export function pickFollower(
  needs: readonly string[],
  followers: readonly Pick<Worker, 'id' | 'capabilities'>[],
  held: ReadonlyMap<string, number>,
): string | null {
  const fits = followers.filter((f) => needs.every((c) => f.capabilities.includes(c)));
  const ranked = [...fits].sort((a, b) => (held.get(a.id) ?? 0) - (held.get(b.id) ?? 0) || a.id.localeCompare(b.id));
  return ranked[0]?.id ?? null;
}

/** A follower's result on a led team's task is the leader's to review. */
export function assertLeaderReview(task: Task, reviewer: string, team: Team | undefined): void {
  if (!team?.leader || task.review?.submittedBy === team.leader || reviewer === team.leader) return;
  throw new BatonError(
    'not_team_leader',
    `task ${task.id} belongs to team ${team.name}: its leader ${team.leader} reviews it, not ${reviewer}`,
    {
      id: task.id,
      team: team.name,
      leader: team.leader,
    },
  );
}

/** A collaborator's write: the task names the worker, and someone else holds its lease now. */
export function assertCollaborator(task: Task, worker: string): void {
  if (!task.collaborators.includes(worker)) {
    throw new BatonError('not_collaborator', `task ${task.id} does not name ${worker} as a collaborator`, {
      id: task.id,
      field: 'workerId',
      collaborators: task.collaborators,
    });
  }
  if (task.status !== 'executing' || task.lease === null) {
    throw new BatonError(
      'illegal_transition',
      `cannot contribute to task ${task.id}: it is ${task.status}; collaborators add to it while a worker holds it`,
      { id: task.id, status: task.status, action: 'contribute' },
    );
  }
}

/** One worker's load, as `baton workers --load` shows it. */
export interface WorkerLoad {
  id: string;
  online: boolean;
  health: WorkerView['health'];
  capabilities: string[];
  /** Tasks it holds a lease on now. */
  running: number;
  /** Tasks reserved for it, not yet claimed. */
  reserved: number;
  /** Tasks it completed in the last hour. */
  donePerHour: number;
  /** Completed / (completed + failed) over its tasks that finished in the last 24 h; null without any. */
  successRate: number | null;
  /** Ready tasks it could claim now (capable, a member of their team, not a second attempt of a swarm). */
  demand: number;
  teams: string[];
}

export interface LoadFacts {
  workers: readonly WorkerView[];
  /** Tasks executing under a lease or reserved (`assigned`). */
  held: readonly Task[];
  /** Tasks claimable now (queued or assigned, due). */
  ready: readonly Task[];
  /** Tasks that completed or failed in the last 24 h. */
  finished: readonly Task[];
  teams: readonly Team[];
  now: number;
}

const HOUR_MS = 3_600_000;

/** Every worker's load from what the store holds (`core` counts; the app reads bounded pages). */
export function workerLoads(facts: LoadFacts): WorkerLoad[] {
  return facts.workers.map((w) => {
    const mine = facts.finished.filter((t) => t.assignee === w.id);
    const completed = mine.filter((t) => t.status === 'completed');
    const recent = completed.filter((t) => t.completedAt !== null && Date.parse(t.completedAt) > facts.now - HOUR_MS);
    return {
      id: w.id,
      online: w.online,
      health: w.health,
      capabilities: w.capabilities,
      running: facts.held.filter((t) => t.status === 'executing' && t.lease?.owner === w.id).length,
      reserved: facts.held.filter((t) => t.status === 'assigned' && t.reservedFor === w.id).length,
      donePerHour: recent.length,
      successRate: mine.length === 0 ? null : completed.length / mine.length,
      demand: facts.ready.filter((t) => couldClaim(t, w, facts)).length,
      teams: facts.teams.filter((t) => t.members.includes(w.id)).map((t) => t.name),
    };
  });
}

function couldClaim(task: Task, worker: Pick<Worker, 'id' | 'capabilities'>, facts: LoadFacts): boolean {
  if (task.status === 'assigned' && task.reservedFor !== worker.id) return false;
  if (!task.capabilities.every((c) => worker.capabilities.includes(c))) return false;
  if (!mayClaimForTeam(task, worker.id, facts.teams)) return false;
  const of = swarmOf(task);
  if (of === null) return true;
  return ![...facts.held, ...facts.finished].some((s) => swarmOf(s) === of && s.id !== task.id && s.assignee === worker.id);
}
