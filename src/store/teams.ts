import type { Team } from '../core/types.js';

/**
 * The store's side of teams (migration 19): `teams` and `team_members`. The claim statements of
 * both backends read `team_members` themselves, so membership is enforced where the lease is taken.
 */
export interface StoreTeams {
  /** Every team with its members (sorted), by name. */
  listTeams(): Promise<Team[]>;
}

export interface TeamsTx {
  /** Writes (creates or replaces) a team and its members. */
  putTeam(team: Team): Promise<void>;
  /** Removes a team; false when there was none. */
  removeTeam(name: string): Promise<boolean>;
}

/** The teams for an export: present only when there is one. */
export function teamsPart(teams: Team[]): { teams?: Team[] } {
  return teams.length > 0 ? { teams } : {};
}

/** Teams from rows of `teams` and of `team_members` (each in name order). */
export function teamsOf(
  teams: readonly { name: unknown; leader: unknown; created_at: unknown }[],
  members: readonly { team: unknown; worker_id: unknown }[],
): Team[] {
  return teams.map((t) => ({
    name: String(t.name),
    leader: t.leader === null || t.leader === undefined ? null : String(t.leader),
    members: members
      .filter((m) => m.team === t.name)
      .map((m) => String(m.worker_id))
      .sort(),
    createdAt: new Date(Number(t.created_at)).toISOString(),
  }));
}
