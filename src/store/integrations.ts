/**
 * The store's side of what reaches Baton from outside (migration 20): the delivery ids inbound
 * hooks have received (so a replay is refused by every replica), and GitHub issues linked to tasks
 * with each repository's sync state. Part of the `Store` and `StoreTx` contracts, kept apart for
 * their size.
 */
export interface StoreIntegrations {
  /** Issue ↔ task links, of one repository or all, by repository and number. */
  githubLinks(repo?: string): Promise<GithubLinkRecord[]>;
  /** Every repository synced or imported, with its ETag and cursor. */
  githubRepos(): Promise<GithubRepoRecord[]>;
}

export interface IntegrationsTx {
  /** Records a delivery to an inbound hook; false when its id is already recorded (a replay). */
  recordInboundDelivery(hook: string, deliveryId: string, at: number): Promise<boolean>;
  /** Adds the link of an issue, or updates the one it has. */
  saveGithubLink(link: GithubLinkRecord): Promise<void>;
  /** Adds a repository's sync state, or replaces the one it has. */
  saveGithubRepo(repo: GithubRepoRecord): Promise<void>;
}

export interface GithubLinkRecord {
  /** `owner/repo`, lowercase. */
  repo: string;
  number: number;
  taskId: number;
  /** The state as last synced. */
  state: 'open' | 'closed';
  /** The labels as last synced. */
  labels: string[];
  /** Whether the task's completion was commented on the issue. */
  commented: boolean;
}

export interface GithubRepoRecord {
  repo: string;
  /** The ETag of the last listing: the next one asks If-None-Match. */
  etag: string | null;
  /** The sync cursor: the newest `updated_at` of an issue read (ISO), the next listing's `since`. */
  since: string | null;
  syncedAt: number | null;
}
