import type { ApiKeyRole } from '../core/types.js';

/** What reaches Baton from outside — JWTs, inbound hooks, GitHub issues: settings, calls and answers. */

/** `auth.jwt`, resolved: the secret read from its variable. */
export interface JwtSettings {
  /** HS256 shared secret, or null when a key set verifies. */
  secret: string | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  roleClaim: string;
  roleMap: Readonly<Record<string, ApiKeyRole>> | null;
  workerClaim: string;
  clockToleranceSeconds: number;
  jwksCooldownMs: number;
}

/** One inbound hook of the config (`hooks.<name>`), its secret read. */
export interface InboundHookSettings {
  secret: string;
  signature: 'github' | 'baton';
  when: string | null;
  task: Readonly<Record<string, string>> | null;
  run: { workflow: string; params: Readonly<Record<string, string>> } | null;
}

export interface GithubSettings {
  apiUrl: string;
  /** The token, read from its variable when the settings were loaded; null without one. */
  token: string | null;
  repos: readonly string[];
}

/** A delivery to an inbound hook, as the server received it. */
export interface HookDelivery {
  /** The body exactly as sent: the signature covers these bytes. */
  body: string;
  /** The request's headers (lowercase names). */
  headers: Readonly<Record<string, string | undefined>>;
}

export interface HookReceipt {
  hook: string;
  deliveryId: string;
  /** What the delivery did: a task made, a run started, or nothing (`when` was false). */
  outcome: 'task' | 'run' | 'ignored';
  taskId: number | null;
  runId: number | null;
}

export interface GithubImportInput {
  /** `OWNER/REPO`. */
  repo: string;
  label?: string | undefined;
  milestone?: string | undefined;
}

export interface GithubSyncReport {
  repos: string[];
  /** Issues newly linked to tasks. */
  imported: number;
  /** Tasks changed from their issues (state, labels, dependencies). */
  tasksUpdated: number;
  /** Issues changed from their tasks (closed, reopened, commented). */
  issuesUpdated: number;
  /** Listings GitHub answered `304 Not Modified` (the ETag matched: nothing read, no rate spent). */
  notModified: number;
}

export interface GithubLink {
  repo: string;
  number: number;
  taskId: number;
  /** The issue's state as last seen or set. */
  state: 'open' | 'closed';
  /** Whether the task's completion was commented on the issue. */
  commented: boolean;
}

export interface IntegrationCalls {
  /**
   * Receives a delivery to the inbound hook `name`: checks its signature, refuses a delivery id
   * already seen, and makes the task or starts the run its mapping declares — all or nothing.
   */
  receiveHook(name: string, delivery: HookDelivery): Promise<HookReceipt>;
  /** Links the open issues of a repository (by label, milestone) to new tasks; issues already linked are kept. */
  githubImport(input: GithubImportInput): Promise<GithubSyncReport>;
  /** Two-way sync of every linked repository (or one): issue state, labels, links ↔ tasks; a comment on completion. */
  githubSync(options?: { repo?: string | undefined }): Promise<GithubSyncReport>;
  /** The issue ↔ task links, of one repository or all. */
  githubLinks(options?: { repo?: string | undefined }): Promise<GithubLink[]>;
}
