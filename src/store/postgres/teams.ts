import { ident } from './sql.js';

/** Teams on PostgreSQL (migration 19): their statements. */
export function teamStatements(schema: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  return {
    listTeams: `SELECT name, leader, created_at FROM ${q('teams')} ORDER BY name`,
    listMembers: `SELECT team, worker_id FROM ${q('team_members')} ORDER BY team, worker_id`,
    upsertTeam: `INSERT INTO ${q('teams')} (name, leader, created_at) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET leader = excluded.leader`,
    clearMembers: `DELETE FROM ${q('team_members')} WHERE team = $1`,
    addMembers: `INSERT INTO ${q('team_members')} (team, worker_id) SELECT $1, unnest($2::text[])`,
    removeTeam: `DELETE FROM ${q('teams')} WHERE name = $1 RETURNING name`,
  };
}
