import type { ContributeInput, TeamInput, TeamView, WorkerLoad } from '../app/baton.js';
import { contributeSchema, parseWith, teamSchema } from '../core/schemas.js';
import type { Task, Team } from '../core/types.js';
import type { HttpClient } from './http.js';

/**
 * RemoteBaton's teams, collaborators' writes and workload. Adding a team sets its members (twice
 * is once), so it is safe to repeat; a contribution appends, so it is not retried.
 */

export async function addTeam(http: HttpClient, raw: TeamInput): Promise<Team> {
  return http.call('POST', '/teams', { body: parseWith(teamSchema, raw), retry: 'always' });
}

export async function listTeams(http: HttpClient): Promise<TeamView[]> {
  return (await http.call<{ teams: TeamView[] }>('GET', '/teams', { retry: 'always' })).teams;
}

export async function workerLoad(http: HttpClient): Promise<WorkerLoad[]> {
  return (await http.call<{ workers: WorkerLoad[] }>('GET', '/workers/load', { retry: 'always' })).workers;
}

export async function contribute(http: HttpClient, id: number, raw: ContributeInput): Promise<Task> {
  return http.call('POST', `/tasks/${id}/contributions`, { body: parseWith(contributeSchema, raw) });
}
