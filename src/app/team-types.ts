import type { ContributeInput, TeamInput } from '../core/schemas.js';
import type { WorkerLoad } from '../core/teams.js';
import type { Task, Team } from '../core/types.js';

/** Teams, collaborators and workload: the `Baton` calls and their answers (`core/teams.ts`). */

export type { ContributeInput, TeamInput, WorkerLoad };

export interface TeamCalls {
  /** Creates a team, or replaces the members and leader of one; every member must be a registered worker. */
  addTeam(input: TeamInput): Promise<Team>;
  /** Every team, with the load of each member. */
  listTeams(): Promise<TeamView[]>;
  /**
   * A collaborator's note, progress step or artifacts on a task another worker holds: recorded as
   * the collaborator's, while the holder's lease, token and progress stay untouched.
   */
  contribute(id: number, input: ContributeInput): Promise<Task>;
  /** Per worker: running, reserved, done in the last hour, success rate, and the ready work it could serve. */
  workerLoad(): Promise<WorkerLoad[]>;
}

export interface TeamView extends Team {
  /** One entry per member, in member order. */
  load: WorkerLoad[];
}
