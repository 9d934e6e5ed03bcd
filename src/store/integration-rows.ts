import type { GithubLinkRecord, GithubRepoRecord } from './integrations.js';

type Row = Record<string, unknown>;

/** Rows of migration 20's tables, read alike from either backend (`labels` is JSON text on SQLite). */
export function githubLinkOf(r: Row): GithubLinkRecord {
  const labels = typeof r.labels === 'string' ? JSON.parse(r.labels) : r.labels;
  return {
    repo: String(r.repo),
    number: Number(r.number),
    taskId: Number(r.task_id),
    state: r.state === 'closed' ? 'closed' : 'open',
    labels: Array.isArray(labels) ? labels.map(String) : [],
    commented: Boolean(r.commented),
  };
}

export function githubRepoOf(r: Row): GithubRepoRecord {
  return {
    repo: String(r.repo),
    etag: r.etag === null || r.etag === undefined ? null : String(r.etag),
    since: r.since === null || r.since === undefined ? null : String(r.since),
    syncedAt: r.synced_at === null || r.synced_at === undefined ? null : Number(r.synced_at),
  };
}
