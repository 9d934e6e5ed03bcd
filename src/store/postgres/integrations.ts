import { githubLinkOf, githubRepoOf } from '../integration-rows.js';
import type { GithubLinkRecord, GithubRepoRecord } from '../integrations.js';
import type { Row } from './rows.js';
import { ident } from './sql.js';

/** Inbound deliveries and GitHub links of the PostgreSQL store (migration 20). */

type Query = (text: string, params?: readonly unknown[]) => Promise<Row[]>;

export function integrationStatements(schema: string) {
  const q = (table: string) => `${ident(schema)}.${table}`;
  return {
    githubLinks: `SELECT * FROM ${q('github_issues')} WHERE ($1::text IS NULL OR repo = $1) ORDER BY repo, number`,
    githubRepos: `SELECT * FROM ${q('github_repos')} ORDER BY repo`,
    // Two replicas given one delivery at once: the second waits on the key, then inserts nothing.
    recordDelivery: `INSERT INTO ${q('inbound_deliveries')} (hook, delivery_id, received_at) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING RETURNING hook`,
    saveLink: `INSERT INTO ${q('github_issues')} (repo, number, task_id, state, labels, commented)
      VALUES ($1, $2, $3, $4, $5::text::jsonb, $6)
      ON CONFLICT (repo, number) DO UPDATE SET task_id = excluded.task_id, state = excluded.state,
        labels = excluded.labels, commented = excluded.commented`,
    saveRepo: `INSERT INTO ${q('github_repos')} (repo, etag, since, synced_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (repo) DO UPDATE SET etag = excluded.etag, since = excluded.since, synced_at = excluded.synced_at`,
  };
}

export type IntegrationStatements = ReturnType<typeof integrationStatements>;

export function integrationReads(st: IntegrationStatements, read: Query) {
  return {
    githubLinks: async (repo?: string): Promise<GithubLinkRecord[]> =>
      (await read(st.githubLinks, [repo ?? null])).map(githubLinkOf),
    githubRepos: async (): Promise<GithubRepoRecord[]> => (await read(st.githubRepos)).map(githubRepoOf),
  };
}

export function integrationWrites(st: IntegrationStatements, q: Query) {
  return {
    recordInboundDelivery: async (hook: string, deliveryId: string, at: number): Promise<boolean> =>
      (await q(st.recordDelivery, [hook, deliveryId, at])).length > 0,
    saveGithubLink: async (l: GithubLinkRecord): Promise<void> => {
      await q(st.saveLink, [l.repo, l.number, l.taskId, l.state, JSON.stringify(l.labels), l.commented]);
    },
    saveGithubRepo: async (r: GithubRepoRecord): Promise<void> => {
      await q(st.saveRepo, [r.repo, r.etag, r.since, r.syncedAt]);
    },
  };
}
