import type Database from 'better-sqlite3';
import { githubLinkOf, githubRepoOf } from '../integration-rows.js';
import type { GithubLinkRecord, GithubRepoRecord } from '../integrations.js';
import type { Row } from './rows.js';

/** Inbound deliveries and GitHub links of the SQLite store (migration 20). */

type Stmt = (sql: string) => Database.Statement;

export function githubLinks(stmt: Stmt, repo?: string): GithubLinkRecord[] {
  const sql = 'SELECT * FROM github_issues WHERE (@repo IS NULL OR repo = @repo) ORDER BY repo, number';
  return (stmt(sql).all({ repo: repo ?? null }) as Row[]).map(githubLinkOf);
}

export function githubRepos(stmt: Stmt): GithubRepoRecord[] {
  return (stmt('SELECT * FROM github_repos ORDER BY repo').all() as Row[]).map(githubRepoOf);
}

export function recordInboundDelivery(stmt: Stmt, hook: string, deliveryId: string, at: number): boolean {
  const sql = 'INSERT OR IGNORE INTO inbound_deliveries (hook, delivery_id, received_at) VALUES (?, ?, ?)';
  return stmt(sql).run(hook, deliveryId, at).changes > 0;
}

export function saveGithubLink(stmt: Stmt, l: GithubLinkRecord): void {
  stmt(
    `INSERT INTO github_issues (repo, number, task_id, state, labels, commented) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (repo, number) DO UPDATE SET task_id = excluded.task_id, state = excluded.state,
       labels = excluded.labels, commented = excluded.commented`,
  ).run(l.repo, l.number, l.taskId, l.state, JSON.stringify(l.labels), l.commented ? 1 : 0);
}

export function saveGithubRepo(stmt: Stmt, r: GithubRepoRecord): void {
  stmt(
    `INSERT INTO github_repos (repo, etag, since, synced_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (repo) DO UPDATE SET etag = excluded.etag, since = excluded.since, synced_at = excluded.synced_at`,
  ).run(r.repo, r.etag, r.since, r.syncedAt);
}
