import type Database from 'better-sqlite3';
import type { Team } from '../../core/types.js';
import { teamsOf } from '../teams.js';
import type { Row } from './rows.js';

type Stmt = (sql: string) => Database.Statement;

/** Teams on SQLite (migration 19). */
export function listTeams(stmt: Stmt): Team[] {
  const teams = stmt('SELECT name, leader, created_at FROM teams ORDER BY name').all() as Row[];
  const members = stmt('SELECT team, worker_id FROM team_members ORDER BY team, worker_id').all() as Row[];
  return teamsOf(teams as never, members as never);
}

export function putTeam(stmt: Stmt, team: Team): void {
  stmt(
    `INSERT INTO teams (name, leader, created_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET leader = excluded.leader`,
  ).run(team.name, team.leader, Date.parse(team.createdAt));
  stmt('DELETE FROM team_members WHERE team = ?').run(team.name);
  for (const member of team.members) stmt('INSERT INTO team_members (team, worker_id) VALUES (?, ?)').run(team.name, member);
}

export function removeTeam(stmt: Stmt, name: string): boolean {
  stmt('DELETE FROM team_members WHERE team = ?').run(name);
  return stmt('DELETE FROM teams WHERE name = ?').run(name).changes > 0;
}
