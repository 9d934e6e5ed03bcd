import type { BreakerState } from './breaker.js';

/**
 * Glossary — the words of Baton, used the same way everywhere.
 *
 * - **task**: a unit of work with a short integer id (`baton show 42`).
 * - **worker**: anything that claims and does tasks — an agent session, a `baton worker` process,
 *   a person. Identified by a string id chosen by the user or generated.
 * - **lease**: a worker's exclusive, time-limited hold on a task.
 * - **token** (fencing token): grows with every claim of a task. Every write by a worker names
 *   its token; a stale token is refused, so a worker presumed dead can never overwrite the work
 *   of the one that replaced it.
 * - **store**: where state lives (SQLite file or PostgreSQL). It does atomic conditional writes
 *   and decides no policy.
 * - **event**: one appended record per change — the audit trail, the live feed and the source
 *   of metrics.
 */

export const TASK_STATUSES = [
  'blocked',
  'queued',
  'assigned',
  'executing',
  'paused',
  'reviewing',
  'completed',
  'failed',
  'cancelled',
  'skipped',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const FINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled', 'skipped'];
/** Statuses from which a worker may claim (subject to `assigned` being reserved for it). */
export const READY_STATUSES: readonly TaskStatus[] = ['queued', 'assigned'];

export const PRIORITIES = ['critical', 'high', 'normal', 'low', 'maintenance'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const COMPLEXITIES = ['simple', 'medium', 'complex', 'epic'] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

export const RETRY_POLICIES = ['immediate', 'fixed', 'exponential'] as const;
export type RetryPolicyName = (typeof RETRY_POLICIES)[number];

export interface RetryPolicySpec {
  policy: RetryPolicyName;
  baseSeconds: number;
  maxSeconds: number;
  jitter: number;
}

export interface Note {
  at: string;
  by: string;
  text: string;
}

export interface Checkpoint {
  at: string;
  by: string;
  name: string;
  progress: number;
}

export interface Artifact {
  at: string;
  by: string;
  path: string;
}

export interface Review {
  required: boolean;
  submittedBy: string | null;
  reviewer: string | null;
  verdict: 'pass' | 'fail' | null;
  feedback: string | null;
  score: number | null;
}

export interface Lease {
  owner: string;
  token: number;
  expiresAt: string;
  /** Length the claim asked for; renewals extend by the same. */
  seconds: number;
}

/**
 * A conditional dependency: the task runs only if dependency `on` completed and the CEL expression
 * `if`, evaluated over that dependency as it finished, is true; otherwise the task is `skipped`.
 */
export interface DependencyCondition {
  on: number;
  if: string;
}

/** A recurring task's schedule; see `core/recurrence.ts` for the model. */
export interface Recurrence {
  /** The cron expression: five fields (minute hour day month weekday), or six with seconds first. */
  every: string;
  /** The IANA time zone the expression is read in; null reads it in UTC. */
  timezone: string | null;
  /** On the template: the fire time of its newest occurrence. On an occurrence: its own fire time. */
  fireAt: string;
  /** On an occurrence: the id of its template; null on the template itself. */
  templateId: number | null;
  /** On the template: the id of its newest occurrence. Null on an occurrence. */
  occurrenceId: number | null;
}

/** A task as every front end sees it. Times are ISO-8601 strings. */
export interface Task {
  id: number;
  title: string;
  description: string | null;
  type: string;
  status: TaskStatus;
  priority: Priority;
  capabilities: string[];
  /** Resources held while executing (names; capacities are kept per resource, `core/resources.ts`). */
  resources: string[];
  /** The named queue it waits in (`default` unless given; see `core/queues.ts`). */
  queue: string;
  tags: string[];
  parentId: number | null;
  dependsOn: number[];
  /** The conditional ones among `dependsOn`, by dependency id (see `core/conditions.ts`). */
  conditions: DependencyCondition[];
  estimateMinutes: number | null;
  complexity: Complexity;
  command: string | null;
  input: unknown;
  result: unknown;
  progress: number;
  /** Worker holding the lease, or the worker the task is reserved for. */
  assignee: string | null;
  /** Set by `assign`: only this worker may claim the task. */
  reservedFor: string | null;
  attempts: number;
  /** Failed attempts that were retried (counts against `maxRetries`). */
  retries: number;
  maxRetries: number;
  /** Overrides the configured retry policy for this task. */
  retryPolicy: RetryPolicySpec | null;
  /** An attempt running longer than this fails (executors kill it). */
  timeoutSeconds: number | null;
  lastError: string | null;
  review: Review | null;
  notes: Note[];
  checkpoints: Checkpoint[];
  artifacts: Artifact[];
  /** The current lease, present while `executing` (and kept while paused from executing). */
  lease: Lease | null;
  /** The fencing token of the latest claim (0 before the first claim). */
  leaseToken: number;
  /** Status to return to on `resume`. */
  pausedFrom: TaskStatus | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  runAfter: string | null;
  /** When the task last became ready to claim; the base of aging. */
  readyAt: string | null;
  /** Sort key of SPEC §4 (lower is claimed first); see core/ordering.ts. */
  claimOrder: number;
  /** The template of a recurring task, or one of its occurrences; null for any other task. */
  recurrence: Recurrence | null;
  /** The team whose members alone may claim it (`core/teams.ts`); null: any worker. */
  team: string | null;
  /** Workers who may add notes, progress and artifacts while another holds the lease. */
  collaborators: string[];
  /** A swarm (`core/swarm.ts`): on its parent, the size and merge; on an attempt, the parent it belongs to. */
  swarm: Swarm | null;
  /** Pipeline: the dependency whose result becomes this task's input once it is ready. */
  inputFrom: number | null;
  version: number;
}

/** How a swarm's attempts become one result. */
export const SWARM_MERGES = ['all', 'first', 'vote', 'command'] as const;
export type SwarmMerge = (typeof SWARM_MERGES)[number];

/** A swarm's parent (`size`, `merge`, and the merge step's command) or one of its attempts (`of`). */
export type Swarm =
  | { role: 'parent'; size: number; merge: SwarmMerge; mergeCommand: string | null }
  | { role: 'attempt'; of: number; attempt: number };

/** A named group of workers; its tasks are claimable by its members only. */
export interface Team {
  name: string;
  members: string[];
  /** The member who breaks its tasks down and reviews the followers' results; null: none. */
  leader: string | null;
  createdAt: string;
}

export interface Worker {
  id: string;
  name: string | null;
  capabilities: string[];
  host: string | null;
  pid: number | null;
  concurrency: number;
  version: string | null;
  registeredAt: string;
  lastSeenAt: string;
  /** `stopped` once the worker said goodbye; otherwise health is computed from lastSeenAt. */
  state: 'active' | 'stopped';
  /** What the worker's process last reported using (its heartbeats); null before the first report. */
  usage: WorkerUsage | null;
  /** Its circuit breaker (`core/breaker.ts`); null when it runs without one. */
  breaker: BreakerState | null;
}

/** A worker process's memory and CPU, as its last heartbeat reported them. */
export interface WorkerUsage {
  /** Resident set size of the process, in bytes. */
  rssBytes: number;
  /** JavaScript heap in use, in bytes (0 when the worker is not a Node.js process). */
  heapUsedBytes: number;
  /** CPU time used since the previous report, as a share of one core's wall time (100 = one core busy). */
  cpuPercent: number;
  /** When the store received the report. */
  at: string;
}

export type WorkerHealth = 'busy' | 'idle' | 'offline';

export interface WorkerView extends Worker {
  health: WorkerHealth;
  online: boolean;
  currentTasks: number[];
}

/** `[before, after]` for each field a change touched. */
export type Changes = Record<string, [unknown, unknown]>;

export interface TaskEvent {
  id: number;
  taskId: number | null;
  workerId: string | null;
  actor: string | null;
  type: string;
  at: string;
  changes: Changes;
  data: Record<string, unknown> | null;
}

export type NewEvent = Omit<TaskEvent, 'id'>;

/** Everything a store holds but its API keys: what `export` writes and `import` loads. */
export interface BatonDump {
  format: 'baton-export';
  formatVersion: 1;
  schemaVersion: number;
  exportedAt: string;
  tasks: Task[];
  events: TaskEvent[];
  workers: Worker[];
  /** Capacities of the resources (`core/resources.ts`); absent when none was ever given. */
  resources?: { name: string; capacity: number }[];
  /** Teams and their members; absent when there are none. */
  teams?: Team[];
}

export const API_KEY_ROLES = ['admin', 'worker', 'viewer'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * What a key may do beyond its role. `commands`: set a task's shell `command` — that is, run code
 * on every worker that runs task commands — which an admin key cannot do without it.
 */
export const KEY_CAPABILITIES = ['commands'] as const;
export type KeyCapability = (typeof KEY_CAPABILITIES)[number];

/** An API key of the HTTP server as anyone may see it: never the secret, never its hash. */
export interface ApiKey {
  /** Public id, shown by `baton keys list` and used to revoke. */
  id: string;
  role: ApiKeyRole;
  /** For a `worker` key: the one worker it may act as. */
  workerId: string | null;
  /** A label, recorded as the actor of the changes made with the key. */
  name: string | null;
  /** Permissions beyond the role (only admin keys may have any). */
  capabilities: KeyCapability[];
  createdAt: string;
  revokedAt: string | null;
}
