import type { AssignmentExplanation, Bid } from '../core/assignment.js';
import type { ComplexityReport } from '../core/breakdown/complexity.js';
import type { BreakdownSubject, Detection, Plan, PlannerName } from '../core/breakdown/types.js';
import type { BatonError } from '../core/errors.js';
import type { Policy } from '../core/policy.js';
import type { Resource } from '../core/resources.js';
import type { BidInput } from '../core/schemas/assignment.js';
import type { FleetReportInput, PoolStatus } from '../core/schemas/fleet.js';
import type {
  AnalyticsQuery,
  AssignInput,
  AttemptLogInput,
  BulkInput,
  ClaimInput,
  ClaimManyInput,
  ClaimTaskInput,
  CompleteTaskInput,
  CompletionItem,
  CreateTaskInput,
  DependencyInput,
  EventsQuery,
  FailInput,
  LeaseRef,
  ListQuery,
  NoteInput,
  ProgressInput,
  RegisterWorkerInput,
  ReviewTaskInput,
  RunQueryInput,
  SetResourceInput,
  StartRunInput,
  TaskFilter,
  UnassignInput,
  UpdateTaskInput,
  WorkerHeartbeatInput,
} from '../core/schemas.js';
import type {
  ApiKey,
  ApiKeyRole,
  BatonDump,
  KeyCapability,
  Priority,
  Task,
  TaskEvent,
  TaskStatus,
  WorkerView,
} from '../core/types.js';
import type { StuckReport, Waiting } from '../core/waiting.js';
import type { WorkflowRecord, WorkflowValidation } from '../core/workflow/index.js';
import type { WorkflowRun } from '../core/workflow/run.js';
import type { CapabilityCount } from '../store/fleet.js';
import type { Analytics, Burndown, WorkerDetail } from './insight-types.js';
import type { IntegrationCalls } from './integration-types.js';
import type { MaintenanceCalls, MaintenanceHost, MaintenanceStatus } from './maintenance-types.js';
import type { PlanningCalls } from './planning-types.js';
import type { PauseView, QueueCalls } from './queue-types.js';
import type { ServiceStats } from './status-stats.js';
import type { TeamCalls } from './team-types.js';
import type { Alert, NotifyHost, WebhookCalls } from './webhook-types.js';
import type { RunDetail, WorkflowAdded, WorkflowSummary } from './workflow-types.js';

// The input types are those of the core schemas, which hold their limits (see `LIMITS`).
export type {
  AnalyticsQuery,
  AssignInput,
  AttemptLogInput,
  BulkInput,
  ClaimInput,
  ClaimManyInput,
  ClaimTaskInput,
  CompleteTaskInput,
  CompletionItem,
  CreateTaskInput,
  DependencyInput,
  EventsQuery,
  FailInput,
  LeaseRef,
  ListQuery,
  NoteInput,
  ProgressInput,
  RegisterWorkerInput,
  ReviewTaskInput,
  SetResourceInput,
  TaskFilter,
  UnassignInput,
  UpdateTaskInput,
  WorkerHeartbeatInput,
};

/**
 * The application interface. Every front end (CLI, worker loop, MCP server, HTTP server) talks to
 * Baton only through this, and never knows whether it holds the in-process `LocalBaton` or the
 * HTTP `RemoteBaton`.
 */
export interface Baton extends MaintenanceCalls, QueueCalls, WebhookCalls, PlanningCalls, IntegrationCalls, TeamCalls {
  /** Creates a task; `blocked` while a dependency is open. */
  createTask(input: CreateTaskInput): Promise<Task>;
  getTask(id: number): Promise<Task>;
  /** A task with its audit trail and the open dependencies that block it. */
  showTask(id: number): Promise<TaskDetail>;
  /** A worker bids in a task's auction (`assignment: auction`); refused unless the auction is open to it. */
  bid(id: number, input: BidInput): Promise<Bid>;
  /** Why a task goes (or would go) to whom: every worker's score and why, the offer, and its bids. */
  explainAssignment(id: number): Promise<AssignmentExplanation>;
  listTasks(query?: ListQuery): Promise<TaskPage>;
  /** Changes fields; with `ifVersion`, refuses (conflict) if the task changed since it was read. */
  updateTask(id: number, input: UpdateTaskInput, options?: { ifVersion?: number }): Promise<Task>;
  cancelTask(id: number, options?: { reason?: string }): Promise<Task>;
  retryTask(id: number): Promise<Task>;
  pauseTask(id: number): Promise<Task>;
  resumeTask(id: number): Promise<Task>;
  /**
   * Makes a task wait for others: each a task id, or `{ id, if }` to run only if that one
   * completed and the condition (CEL, over it as it finished) is true — else the task is skipped.
   * With `ifVersion`, refuses (`version_mismatch`) if the task changed since it was read.
   */
  addDependencies(id: number, dependsOn: DependencyInput[], options?: { ifVersion?: number }): Promise<Task>;
  /** Drops one dependency; with `ifVersion`, refuses if the task changed since it was read. */
  removeDependency(id: number, dependsOn: number, options?: { ifVersion?: number }): Promise<Task>;
  /** How many tasks a filter selects, per status (what a board shows above its columns). */
  countTasks(filter?: TaskFilter): Promise<TaskCounts>;
  /**
   * One action (cancel, retry, pause, resume, update priority) on several tasks, by ids or a
   * filter, in one transaction: a task that is missing or in a wrong state refuses the whole batch,
   * naming it. With `dryRun`, checks it all and changes nothing.
   */
  bulk(input: BulkInput): Promise<BulkResult>;
  /**
   * Reserves a task for one registered worker: only that worker may claim it. A worker lacking a
   * capability the task needs is refused (`incapable_worker`) unless `force`.
   */
  assignTask(id: number, workerId: string, options?: Pick<AssignInput, 'force'>): Promise<Task>;
  /** Drops a task's reservation: it goes back to the shared queue (`unassigned` event). */
  unassignTask(id: number, options?: UnassignInput): Promise<Task>;

  /** Complexity of a task (by id) or of a task not yet created, with the reasons and what to do. */
  analyze(target: number | BreakdownSubject): Promise<TaskAnalysis>;
  /**
   * Breaks a task nobody has started into subtasks (SPEC §6) in one transaction; the task becomes
   * their parent. With `dryRun`, returns the plan and writes nothing.
   */
  breakdown(id: number, options?: BreakdownOptions): Promise<BreakdownResult>;

  /** Claims the best ready task this worker can do (SPEC §4), or null. */
  claim(request: ClaimInput): Promise<Task | null>;
  /** Claims up to `limit` tasks in one step. */
  claimMany(request: ClaimManyInput): Promise<Task[]>;
  /**
   * Claims this one ready task, by the rules of `claim` (lease, token, capabilities, reservation);
   * refuses with a coded reason (blocked, reserved, missing capabilities, not due, not ready).
   */
  claimTask(id: number, request: ClaimTaskInput): Promise<Task>;
  heartbeat(id: number, lease: LeaseRef): Promise<Task>;
  reportProgress(id: number, input: ProgressInput): Promise<Task>;
  /** Appends a note to a task in any state, without touching its progress or lease. */
  addNote(id: number, input: NoteInput): Promise<Task>;
  complete(id: number, input: CompleteTaskInput): Promise<Task>;
  /**
   * Completes several claimed tasks at once, each by the rules of `complete`; answers in the
   * order given, per item the task or the coded refusal `complete` would have thrown (one item's
   * refusal leaves the others done). A malformed batch, or one of more than
   * `LIMITS.completionBatch` items, is refused whole before any change.
   */
  completeMany(items: CompletionItem[]): Promise<CompletionResult[]>;
  fail(id: number, input: FailInput): Promise<Task>;
  release(id: number, lease: LeaseRef): Promise<Task>;
  review(id: number, input: ReviewTaskInput): Promise<Task>;
  /**
   * Requeues (or fails) tasks whose lease has run out, and sends tasks reserved for workers gone
   * offline back to the shared queue; returns the ids of the expired leases.
   */
  expireLeases(): Promise<number[]>;
  /** Appends to the log of the attempt the worker runs under its lease (a remote worker's output). */
  appendAttemptLog(id: number, input: AttemptLogInput): Promise<AttemptLogAppended>;
  /** The last lines of an attempt's kept output (the latest attempt unless one is named). */
  attemptLog(id: number, query?: AttemptLogQuery): Promise<AttemptLogText>;

  registerWorker(input: RegisterWorkerInput): Promise<WorkerView>;
  /** The worker says goodbye: shown offline (stopped) until it registers or claims again. */
  unregisterWorker(id: string): Promise<WorkerView>;
  /** A registered worker is alive, and its process uses this much memory and CPU (shown by `workers`). */
  heartbeatWorker(input: WorkerHeartbeatInput): Promise<WorkerView>;
  listWorkers(options?: { available?: boolean }): Promise<WorkerView[]>;
  /** One worker: what it holds now, its newest finished tasks and its success rate over them. */
  showWorker(id: string): Promise<WorkerDetail>;
  /** Finished work over a time range (1h, 24h, 7d, 30d): per bucket, and by capability, tag, complexity, worker. */
  analytics(query?: AnalyticsQuery): Promise<Analytics>;
  /** How much of an epic's work (its leaves and their estimates) remained at each moment since it began. */
  burndown(id: number): Promise<Burndown>;
  /** Resources (known, or named by open tasks): capacity, the executing tasks holding each, how many ready tasks wait. */
  listResources(): Promise<Resource[]>;
  /** Sets how many tasks holding a resource may execute at once (the one way to change a capacity). */
  setResource(input: SetResourceInput): Promise<Resource>;
  status(): Promise<SystemStatus>;
  /** Ready tasks (queued, due) per distinct set of capabilities they need: what pools and autoscalers size by. */
  readyByCapabilities(): Promise<CapabilityCount[]>;
  /** A fleet supervisor's report of its pools; replaces its earlier one (no pools: it stopped). */
  reportFleet(report: FleetReportInput): Promise<void>;
  /** Every pool a supervisor reported: members, target size, why it scaled, whether it is degraded. */
  fleetStatus(): Promise<PoolStatus[]>;
  /** Liveness: the store answers; `at` is the store's clock. */
  health(): Promise<Health>;
  /** The store and the policy its owner applies (retry defaults, lease, limits). */
  describe(): Promise<BatonDescription>;

  /** The event log (the audit trail), oldest first, after `afterId`. */
  events(query?: EventQuery): Promise<TaskEvent[]>;
  /** The newest event id (0 when there is none). */
  latestEventId(): Promise<number>;
  /**
   * Follows the event log: calls `listener` with the newest event id whenever events are appended,
   * by any process (a hint: read them with `events`). When the returned watch says `pushes: false`
   * the source cannot see other processes' writes, and a follower must also poll.
   */
  watchEvents(listener: (lastEventId: number) => void): EventWatch;

  /** Creates an API key of the HTTP server; the key itself is in the answer only. */
  createKey(input: CreateKeyInput): Promise<CreatedKey>;
  /** Every key, revoked ones included; never a secret or its hash. */
  listKeys(): Promise<ApiKey[]>;
  revokeKey(id: string): Promise<ApiKey>;
  /** The active key a presented secret is, or null (unknown, malformed or revoked). */
  verifyKey(presented: string): Promise<ApiKey | null>;
  /** Whether any active key exists: then every call to the server must present one. */
  hasActiveKeys(): Promise<boolean>;

  /** Checks a workflow definition (YAML or JSON) and lists every problem with its line and column. */
  validateWorkflow(source: string, options?: { file?: string }): Promise<WorkflowValidation>;
  /**
   * Registers a workflow definition: a new name is version 1, a changed definition the next
   * version, an unchanged one stays as it is (`created: false`). Refuses one with problems.
   */
  addWorkflow(source: string, options?: { file?: string }): Promise<WorkflowAdded>;
  /** The latest version of every registered workflow. */
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** One workflow definition with its source (the latest version unless one is named). */
  getWorkflow(name: string, options?: { version?: number }): Promise<WorkflowRecord>;
  /** Starts a run of a registered workflow (its latest version unless `version`) with `params`. */
  startRun(name: string, options?: { params?: Record<string, unknown>; version?: number }): Promise<RunDetail>;
  /** One run: its steps with their states, and its tasks. */
  getRun(id: number): Promise<RunDetail>;
  /** Runs, newest first, of one workflow or in one state. */
  listRuns(query?: RunQueryInput): Promise<WorkflowRun[]>;
  /** Cancels a running run: its unfinished steps and their open tasks. */
  cancelRun(id: number, options?: { reason?: string }): Promise<RunDetail>;
  /** Approves (or with `reject`, rejects) a run's approval step; the caller's role must be one of its `by`. */
  approveStep(id: number, step: string, options?: { reject?: boolean; comment?: string; role?: string }): Promise<RunDetail>;

  exportData(): Promise<BatonDump>;
  /** Loads an export into an empty store, keeping ids, dependencies, history and workers. */
  importData(data: unknown): Promise<ImportSummary>;
  close(): Promise<void>;
}

/**
 * A `Baton` that can act for others: the server holds one and records each caller's changes under
 * the caller's name.
 */
export interface BatonHost extends Baton, MaintenanceHost, NotifyHost {
  /** The same Baton, recording changes as made by `actor`. Cheap; shares every cache. */
  actingAs(actor: string): Baton;
}

/** Which events to read (see `EventsQuery` of the core schemas). */
export type EventQuery = EventsQuery;

export interface EventWatch {
  /** Whether appends by other processes are signalled (else followers poll). */
  readonly pushes: boolean;
  stop(): void;
}

export interface AttemptLogAppended {
  taskId: number;
  attempt: number;
  /** Size of the attempt's log now, in bytes. */
  bytes: number;
}

export interface AttemptLogQuery {
  attempt?: number | undefined;
  /** Lines from the end (default 100). */
  tail?: number | undefined;
}

export interface AttemptLogText {
  taskId: number;
  attempt: number;
  path: string;
  text: string;
}

export interface Health {
  /** The store answers and can be written to. */
  ok: boolean;
  store: StoreKind;
  /** The store's clock, ISO-8601. */
  at: string;
  /** Why it is not ok (a full disk), and since when. */
  problem?: { code: string; message: string; since: string };
}

export type StoreKind = 'sqlite' | 'postgres';

export interface BatonDescription {
  store: { kind: StoreKind; location: string };
  /** The policy in force: what fills in a task's unset retry, lease and review settings. */
  policy: Policy;
  /** The package version of the Baton that owns the store. */
  version: string;
  /** The store's schema: its version (the newest migration applied) and every migration applied, oldest first. */
  schema: { version: number; migrations: { version: number; name: string; appliedAt: string }[] };
}

export interface CreateKeyInput {
  role: ApiKeyRole;
  /** A worker key's one worker. */
  workerId?: string | undefined;
  name?: string | undefined;
  /** Permissions beyond the role; only an admin key may have them. */
  capabilities?: readonly KeyCapability[] | undefined;
  /**
   * The key itself, made by the operator (`baton_<id>_<secret>`, a secret of at least 32 random
   * bytes): for deployments that hand the same key to the store and to their clients from one
   * secret. Creating it again with the same role is a no-op; another key with its id is refused.
   */
  key?: string | undefined;
}

export interface CreatedKey {
  /** The secret: shown once, never stored. */
  key: string;
  record: ApiKey;
}

export interface TaskPage {
  tasks: Task[];
  /** Tasks matching the filters, on every page. */
  total: number;
  /** The `cursor` of the next page, or null on the last one. */
  next: string | null;
}

export interface TaskCounts {
  total: number;
  byStatus: Record<TaskStatus, number>;
}

export interface BulkResult {
  action: BulkInput['action'];
  dryRun: boolean;
  /** Tasks named or selected. */
  count: number;
  ids: number[];
  /** Each task as the action left it (in a dry run: as it would). */
  tasks: Task[];
}

/** One answer of `completeMany`: the task completed, or why it was not. */
export type CompletionResult = { id: number; ok: true; task: Task } | { id: number; ok: false; error: BatonError };

export interface TaskDetail {
  task: Task;
  history: TaskEvent[];
  /** Dependencies that are not completed, with their status. */
  blockedBy: { id: number; title: string; status: TaskStatus }[];
  /** For a parent made by breakdown: its direct subtasks. */
  subtasks?: { id: number; title: string; status: TaskStatus; progress: number; estimateMinutes: number | null }[];
  /** Why it is not being taken (blocked, backoff, reserved for an offline worker, no capable worker), or null. */
  waiting: Waiting | null;
  /** The bids of its auctions (`assignment: auction`), oldest first; absent when there were none. */
  bids?: Bid[];
}

export interface BreakdownOptions {
  /** Defaults to `breakdown.planner` of the config (`rules` unless set). */
  planner?: PlannerName | undefined;
  dryRun?: boolean | undefined;
}

export interface BreakdownResult {
  /** The task: now a parent, or unchanged in a dry run. */
  task: Task;
  /** The subtasks created, every level, in creation order (none in a dry run unless `existing`). */
  subtasks: Task[];
  dryRun: boolean;
  /**
   * A dry run of a task broken down before: `subtasks` are the ones written then (every level),
   * and `plan` is their tree. False whenever a plan was made now.
   */
  existing: boolean;
  /** The plan written (or that would be), as a tree with dependencies by sibling index. */
  plan: Plan;
  /** The planner whose plan this is. */
  planner: PlannerName;
  requestedPlanner: PlannerName;
  /** Why the requested planner was not used (the rule planner was), or null. */
  fallbackReason: string | null;
  /** Problems that did not stop the breakdown, such as a malformed patterns file. */
  warnings: string[];
}

export interface TaskAnalysis extends ComplexityReport {
  /** The task analysed, or null for a task not yet created. */
  taskId: number | null;
  /** The kind of work the rule planner would apply. */
  detected: Detection;
  /** Open items of an explicit checklist in the description (used instead of a pattern when ≥ 2). */
  checklistItems: number;
  /**
   * The deliverables the task names (titles of the subtasks they become), when it names two or
   * more and has no checklist: the breakdown makes one subtask each, each planned by its own kind.
   */
  deliverables: string[];
  /** Whether creating such a task breaks it down automatically under the configured mode. */
  breaksDownOnCreate: boolean;
}

export interface SystemStatus extends ServiceStats {
  store: { kind: string; location: string };
  tasks: {
    total: number;
    byStatus: Record<TaskStatus, number>;
    /** Of the `executing` ones, the parents: in progress via their subtasks, held by no worker. */
    inProgressViaSubtasks: number;
  };
  /** Tasks claimable now. */
  queueDepth: number;
  readyByPriority: Record<Priority, number>;
  /** `breakersOpen`: workers whose circuit breaker is open or half-open (they claim little or nothing). */
  workers: { total: number; online: number; busy: number; idle: number; offline: number; breakersOpen: number };
  throughput: { completedLastHour: number };
  /** Work nobody is taking, and why (`stuckLines` says it in sentences). */
  stuck: StuckReport;
  /** The last backup and clean-up, and their schedules. */
  maintenance: MaintenanceStatus;
  /** Pauses of claims in force: `queue` null pauses the whole system (`baton system pause`). */
  pauses: PauseView[];
  /** Alerts whose condition still holds, newest first (at most five). */
  openAlerts: Alert[];
  at: string;
}

export type * from './insight-types.js';
export type * from './integration-types.js';
export type * from './maintenance-types.js';
export type * from './planning-types.js';
export type * from './queue-types.js';
export type * from './team-types.js';
export type * from './webhook-types.js';
export type { RunDetail, RunTaskSummary, WorkflowAdded, WorkflowSummary } from './workflow-types.js';
export type {
  CapabilityCount,
  FleetReportInput,
  PoolStatus,
  RunQueryInput,
  StartRunInput,
  WorkflowRecord,
  WorkflowRun,
  WorkflowValidation,
};

export interface ImportSummary {
  tasks: number;
  events: number;
  workers: number;
}
