import type { AssignmentExplanation, Bid } from '../core/assignment.js';
import { defaultRegistry, type PatternRegistry } from '../core/breakdown/registry.js';
import type { BreakdownSubject } from '../core/breakdown/types.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Policy } from '../core/policy.js';
import type { Resource } from '../core/resources.js';
import type { BidInput } from '../core/schemas/assignment.js';
import type { SetResourceInput } from '../core/schemas.js';
import { parseWith, registerWorkerSchema, workerHeartbeatSchema, workerRefSchema } from '../core/schemas.js';
import type { ApiKey, BatonDump, Task, TaskEvent, Team, WorkerView } from '../core/types.js';
import type { Store } from '../store/store.js';
import * as assignment from './assignment-service.js';
import * as backups from './backup-service.js';
import type {
  Analytics,
  AnalyticsQuery,
  AssignInput,
  AttemptLogAppended,
  AttemptLogInput,
  AttemptLogQuery,
  AttemptLogText,
  BatonDescription,
  BatonHost,
  BreakdownOptions,
  BreakdownResult,
  BulkInput,
  BulkResult,
  Burndown,
  CapabilityCount,
  ClaimInput,
  ClaimManyInput,
  ClaimTaskInput,
  CompleteTaskInput,
  CompletionItem,
  CompletionResult,
  CreatedKey,
  CreateKeyInput,
  CreateTaskInput,
  DependencyInput,
  EventQuery,
  EventWatch,
  FailInput,
  FleetReportInput,
  Health,
  ImportSummary,
  LeaseRef,
  ListQuery,
  NoteInput,
  PoolStatus,
  ProgressInput,
  RegisterWorkerInput,
  ReviewTaskInput,
  RunDetail,
  RunQueryInput,
  SystemStatus,
  TaskAnalysis,
  TaskCounts,
  TaskDetail,
  TaskFilter,
  TaskPage,
  UnassignInput,
  UpdateTaskInput,
  WorkerDetail,
  WorkerHeartbeatInput,
  WorkflowAdded,
  WorkflowRecord,
  WorkflowRun,
  WorkflowSummary,
  WorkflowValidation,
} from './baton.js';
import * as breakdowns from './breakdown-service.js';
import { claimTask } from './claim-task.js';
import * as complexity from './complexity-report.js';
import type { AppContext } from './context.js';
import * as fleets from './fleet-service.js';
import * as github from './github-service.js';
import { CriticalPush } from './hybrid-push.js';
import { receiveHook } from './inbound-hook-service.js';
import * as insights from './insight-service.js';
import type { IntegrationCalls } from './integration-types.js';
import { KeyRing } from './keys.js';
import * as leases from './lease-service.js';
import { LeaseSweeper } from './lease-sweeper.js';
import * as logs from './log-service.js';
import * as maintenance from './maintenance-service.js';
import type {
  BackupInput,
  BackupList,
  BackupResult,
  GcInput,
  GcReport,
  MaintenanceSettings,
  MaintenanceTick,
  RestoreInput,
  RestoreResult,
} from './maintenance-types.js';
import * as notifications from './notify-service.js';
import * as plans from './plan-service.js';
import { PlannerBreakers } from './planner-breakers.js';
import type {
  BreakdownAllOptions,
  BreakdownAllResult,
  ComplexityOverview,
  ComplexityReportQuery,
  ExportPlanQuery,
  ImportPlanInput,
  PlanDocument,
  PlanImport,
} from './planning-types.js';
import * as queueService from './queue-service.js';
import type { PauseInput, QueuesReport } from './queue-types.js';
import * as reservations from './reservation-service.js';
import * as resources from './resource-service.js';
import { restore } from './restore-service.js';
import { gc } from './retention-service.js';
import * as approvals from './run-approval.js';
import * as runs from './run-service.js';
import * as steer from './steer-service.js';
import * as system from './system-service.js';
import { createTask } from './task-create.js';
import * as tasks from './task-service.js';
import * as teams from './team-service.js';
import type { ContributeInput, TeamInput, TeamView, WorkerLoad } from './team-types.js';
import * as webhooks from './webhook-service.js';
import type {
  Alert,
  AlertsQuery,
  DeliveriesQuery,
  NotifyTick,
  Webhook,
  WebhookAdded,
  WebhookAddInput,
  WebhookDelivery,
} from './webhook-types.js';
import { WorkerPresence } from './worker-presence.js';
import * as workflows from './workflow-service.js';

export interface LocalBatonOptions {
  store: Store;
  policy: Policy;
  /** Who makes the changes this instance writes (a person, a script); recorded in history. */
  actor?: string | undefined;
  /** Source of randomness for retry jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * Time for waits, caches and sweeps. The store has its own clock for leases and `runAfter`
   * (`openBaton` gives both the same one).
   */
  clock?: Clock | undefined;
  /** The store's `.baton/patterns.yaml` (custom breakdown patterns), if any. */
  patternsFile?: string | null | undefined;
  /** Patterns to start from; defaults to the process-wide registry of `registerPattern()`. */
  patterns?: PatternRegistry | undefined;
  /** Where attempt logs are kept (`.baton/logs`); without it, this Baton keeps none. */
  logDir?: string | null | undefined;
  /** Backups and retention (default: none scheduled, folders beside a SQLite store or in `./.baton`). */
  maintenance?: Readonly<MaintenanceSettings> | undefined;
  /** The breakers of the outside planners, shared with another Baton of this process (default: new ones). */
  plannerBreakers?: PlannerBreakers | undefined;
}

/**
 * `Baton` in process, over a store. Each call is a use case of one of the service modules
 * (tasks, leases, breakdown, system); this class only binds them to one context.
 */
export class LocalBaton implements BatonHost {
  private readonly ctx: AppContext;

  constructor(options: LocalBatonOptions | { context: AppContext }) {
    this.ctx = 'context' in options ? options.context : newContext(options);
  }

  /**
   * The store itself, for tests and store-level tools. Front ends hold a `Baton` (or `BatonHost`)
   * and never reach for this: everything they need is a call.
   */
  get store(): Store {
    return this.ctx.store;
  }

  /** The policy in force (also `describe().policy`). */
  get policy(): Policy {
    return this.ctx.policy;
  }

  actingAs(actor: string): LocalBaton {
    return new LocalBaton({ context: { ...this.ctx, actor } });
  }

  /** The same store under another policy and randomness (another configuration opening it). */
  withPolicy(policy: Policy, random?: () => number): LocalBaton {
    return new LocalBaton({
      store: this.ctx.store,
      policy,
      actor: this.ctx.actor ?? undefined,
      clock: this.ctx.clock,
      random: random ?? this.ctx.random,
      patternsFile: this.ctx.patternsFile,
      patterns: this.ctx.patterns,
      logDir: this.ctx.logDir,
      maintenance: this.ctx.maintenance,
      plannerBreakers: this.ctx.plannerBreakers,
    });
  }

  // ── tasks ────────────────────────────────────────────────────────────────
  createTask = (input: CreateTaskInput): Promise<Task> => createTask(this.ctx, input);
  getTask = (id: number): Promise<Task> => tasks.getTask(this.ctx, id);
  showTask = async (id: number): Promise<TaskDetail> => {
    await this.sweepBeforeRead();
    return tasks.showTask(this.ctx, id);
  };
  bid = (id: number, input: BidInput): Promise<Bid> => assignment.bid(this.ctx, id, input);
  explainAssignment = async (id: number): Promise<AssignmentExplanation> => {
    await this.sweepBeforeRead();
    return assignment.explainAssignment(this.ctx, id);
  };
  listTasks = async (query?: ListQuery): Promise<TaskPage> => {
    await this.sweepBeforeRead();
    return tasks.listTasks(this.ctx, query);
  };
  updateTask = (id: number, input: UpdateTaskInput, options?: { ifVersion?: number }): Promise<Task> =>
    tasks.updateTask(this.ctx, id, input, options);
  cancelTask = (id: number, options?: { reason?: string }): Promise<Task> => tasks.cancelTask(this.ctx, id, options);
  retryTask = (id: number): Promise<Task> => tasks.retryTask(this.ctx, id);
  pauseTask = (id: number): Promise<Task> => tasks.pauseTask(this.ctx, id);
  resumeTask = (id: number): Promise<Task> => tasks.resumeTask(this.ctx, id);
  addDependencies = (id: number, dependsOn: DependencyInput[], options?: { ifVersion?: number }): Promise<Task> =>
    tasks.addDependencies(this.ctx, id, dependsOn, options);
  removeDependency = (id: number, dependsOn: number, options?: { ifVersion?: number }): Promise<Task> =>
    tasks.removeDependency(this.ctx, id, dependsOn, options);
  countTasks = (filter?: TaskFilter): Promise<TaskCounts> => steer.countTasks(this.ctx, filter);
  bulk = (input: BulkInput): Promise<BulkResult> => steer.bulk(this.ctx, input);
  assignTask = (id: number, workerId: string, options?: Pick<AssignInput, 'force'>): Promise<Task> =>
    reservations.assignTask(this.ctx, id, workerId, options);
  unassignTask = (id: number, options?: UnassignInput): Promise<Task> => reservations.unassignTask(this.ctx, id, options);

  // ── breakdown (SPEC §6) ──────────────────────────────────────────────────
  analyze = (target: number | BreakdownSubject): Promise<TaskAnalysis> => breakdowns.analyze(this.ctx, target);
  breakdown = (id: number, options?: BreakdownOptions): Promise<BreakdownResult> => breakdowns.breakdown(this.ctx, id, options);

  // ── the worker's side ────────────────────────────────────────────────────
  claim = async (request: ClaimInput): Promise<Task | null> =>
    (await leases.claimMany(this.ctx, { ...request, limit: 1 }))[0] ?? null;
  claimMany = (request: ClaimManyInput): Promise<Task[]> => leases.claimMany(this.ctx, request);
  claimTask = (id: number, request: ClaimTaskInput): Promise<Task> => claimTask(this.ctx, id, request);
  heartbeat = (id: number, lease: LeaseRef): Promise<Task> => leases.heartbeat(this.ctx, id, lease);
  reportProgress = (id: number, input: ProgressInput): Promise<Task> => leases.reportProgress(this.ctx, id, input);
  addNote = (id: number, input: NoteInput): Promise<Task> => leases.addNote(this.ctx, id, input);
  complete = (id: number, input: CompleteTaskInput): Promise<Task> => leases.complete(this.ctx, id, input);
  completeMany = (items: CompletionItem[]): Promise<CompletionResult[]> => leases.completeMany(this.ctx, items);
  fail = (id: number, input: FailInput): Promise<Task> => leases.fail(this.ctx, id, input);
  release = (id: number, lease: LeaseRef): Promise<Task> => leases.release(this.ctx, id, lease);
  review = (id: number, input: ReviewTaskInput): Promise<Task> => leases.review(this.ctx, id, input);
  expireLeases = (): Promise<number[]> => this.ctx.sweeper.now(() => leases.sweep(this.ctx));
  appendAttemptLog = (id: number, input: AttemptLogInput): Promise<AttemptLogAppended> =>
    logs.appendAttemptLog(this.ctx, id, input);
  attemptLog = (id: number, query?: AttemptLogQuery): Promise<AttemptLogText> => logs.attemptLog(this.ctx, id, query);

  // ── workers ──────────────────────────────────────────────────────────────
  registerWorker = async (input: RegisterWorkerInput): Promise<WorkerView> =>
    this.ctx.presence.register(parseWith(registerWorkerSchema, input));
  heartbeatWorker = async (input: WorkerHeartbeatInput): Promise<WorkerView> =>
    this.ctx.presence.heartbeat(parseWith(workerHeartbeatSchema, input));
  unregisterWorker = async (id: string): Promise<WorkerView> => {
    const view = await this.ctx.presence.unregister(parseWith(workerRefSchema, { workerId: id }).workerId);
    await reservations.releaseReservationsOf(this.ctx, view.id);
    return view;
  };
  listWorkers = async (options?: { available?: boolean }): Promise<WorkerView[]> => {
    await this.sweepBeforeRead();
    return this.ctx.presence.list(options);
  };
  showWorker = async (id: string): Promise<WorkerDetail> => {
    await this.sweepBeforeRead();
    return insights.workerDetail(this.ctx, id);
  };
  analytics = (query?: AnalyticsQuery): Promise<Analytics> => insights.analytics(this.ctx, query);
  burndown = (id: number): Promise<Burndown> => insights.burndown(this.ctx, id);
  listResources = async (): Promise<Resource[]> => {
    await this.sweepBeforeRead();
    return resources.listResources(this.ctx);
  };
  setResource = (input: SetResourceInput): Promise<Resource> => resources.setResource(this.ctx, input);

  // ── the system ───────────────────────────────────────────────────────────
  status = async (): Promise<SystemStatus> => {
    await this.sweepBeforeRead();
    return system.status(this.ctx);
  };
  health = (): Promise<Health> => system.health(this.ctx);
  describe = (): Promise<BatonDescription> => system.describe(this.ctx);
  events = (query?: EventQuery): Promise<TaskEvent[]> => system.events(this.ctx, query);
  latestEventId = (): Promise<number> => system.latestEventId(this.ctx);
  watchEvents = (listener: (lastEventId: number) => void): EventWatch => system.watchEvents(this.ctx, listener);
  createKey = (input: CreateKeyInput): Promise<CreatedKey> => system.createKey(this.ctx, input);
  listKeys = (): Promise<ApiKey[]> => system.listKeys(this.ctx);
  revokeKey = (id: string): Promise<ApiKey> => system.revokeKey(this.ctx, id);
  verifyKey = (presented: string): Promise<ApiKey | null> => this.ctx.keys.verify(presented);
  hasActiveKeys = (): Promise<boolean> => this.ctx.keys.any();
  // ── workflow definitions ─────────────────────────────────────────────────
  validateWorkflow = async (source: string, options?: { file?: string }): Promise<WorkflowValidation> =>
    workflows.validateWorkflow(source, options);
  addWorkflow = (source: string, options?: { file?: string }): Promise<WorkflowAdded> =>
    workflows.addWorkflow(this.ctx, source, options);
  listWorkflows = (): Promise<WorkflowSummary[]> => workflows.listWorkflows(this.ctx);
  getWorkflow = (name: string, options?: { version?: number }): Promise<WorkflowRecord> =>
    workflows.getWorkflow(this.ctx, name, options);
  startRun = (name: string, options: { params?: Record<string, unknown>; version?: number } = {}): Promise<RunDetail> =>
    runs.startRun(this.ctx, { name, ...options });
  getRun = (id: number): Promise<RunDetail> => runs.getRun(this.ctx, id);
  listRuns = async (query?: RunQueryInput): Promise<WorkflowRun[]> => {
    await this.sweepBeforeRead();
    return runs.listRuns(this.ctx, query);
  };
  cancelRun = (id: number, options?: { reason?: string }): Promise<RunDetail> => runs.cancelRun(this.ctx, id, options);
  approveStep = (id: number, step: string, options?: { reject?: boolean; comment?: string; role?: string }): Promise<RunDetail> =>
    approvals.approveStep(this.ctx, id, step, options);

  exportData = (): Promise<BatonDump> => system.exportData(this.ctx);
  importData = (data: unknown): Promise<ImportSummary> => system.importData(this.ctx, data);

  // ── pauses and queues ────────────────────────────────────────────────────
  // ── the complexity report ───────────────────────────────────────────────
  complexityReport = async (query?: ComplexityReportQuery): Promise<ComplexityOverview> => {
    await this.sweepBeforeRead();
    return complexity.complexityReport(this.ctx, query);
  };
  breakdownAll = (options?: BreakdownAllOptions): Promise<BreakdownAllResult> => complexity.breakdownAll(this.ctx, options);
  importPlan = (input: ImportPlanInput): Promise<PlanImport> => plans.importPlan(this.ctx, input);
  exportPlan = (query?: ExportPlanQuery): Promise<PlanDocument> => plans.exportPlan(this.ctx, query);

  pauseClaims = (input?: PauseInput): Promise<QueuesReport> => queueService.pauseClaims(this.ctx, input);
  resumeClaims = (input?: PauseInput): Promise<QueuesReport> => queueService.resumeClaims(this.ctx, input);
  queues = async (): Promise<QueuesReport> => {
    await this.sweepBeforeRead();
    return queueService.queues(this.ctx);
  };
  // ── teams, collaborators and workload ───────────────────────────────────
  addTeam = (input: TeamInput): Promise<Team> => teams.addTeam(this.ctx, input);
  listTeams = async (): Promise<TeamView[]> => {
    await this.sweepBeforeRead();
    return teams.listTeams(this.ctx);
  };
  contribute = (id: number, input: ContributeInput): Promise<Task> => teams.contribute(this.ctx, id, input);
  workerLoad = async (): Promise<WorkerLoad[]> => {
    await this.sweepBeforeRead();
    return teams.workerLoad(this.ctx);
  };
  // ── fleets ───────────────────────────────────────────────────────────────
  readyByCapabilities = (): Promise<CapabilityCount[]> => fleets.readyByCapabilities(this.ctx);
  reportFleet = (report: FleetReportInput): Promise<void> => fleets.reportFleet(this.ctx, report);
  fleetStatus = (): Promise<PoolStatus[]> => fleets.fleetStatus(this.ctx);

  // ── backups and retention ────────────────────────────────────────────────
  backup = (input?: BackupInput): Promise<BackupResult> => backups.backup(this.ctx, input);
  listBackups = (): Promise<BackupList> => backups.listBackups(this.ctx);
  restore = (input: RestoreInput): Promise<RestoreResult> => restore(this.ctx, input);
  gc = (input?: GcInput): Promise<GcReport> => gc(this.ctx, input);
  maintain = (): Promise<MaintenanceTick> => maintenance.maintain(this.ctx);

  // ── inbound hooks and GitHub issues ─────────────────────────────────────
  receiveHook: IntegrationCalls['receiveHook'] = (name, delivery) => receiveHook(this.ctx, name, delivery);
  githubImport: IntegrationCalls['githubImport'] = (input) => github.githubImport(this.ctx, input);
  githubSync: IntegrationCalls['githubSync'] = (options) => github.githubSync(this.ctx, options);
  githubLinks: IntegrationCalls['githubLinks'] = (options) => github.githubLinks(this.ctx, options);

  // ── webhooks and alerts ──────────────────────────────────────────────────
  addWebhook = (input: WebhookAddInput): Promise<WebhookAdded> => webhooks.addWebhook(this.ctx, input);
  listWebhooks = (): Promise<Webhook[]> => webhooks.listWebhooks(this.ctx);
  removeWebhook = (id: number): Promise<Webhook> => webhooks.removeWebhook(this.ctx, id);
  enableWebhook = (id: number): Promise<Webhook> => webhooks.enableWebhook(this.ctx, id);
  webhookDeliveries = (query?: DeliveriesQuery): Promise<WebhookDelivery[]> => webhooks.deliveries(this.ctx, query);
  alerts = (query?: AlertsQuery): Promise<Alert[]> => webhooks.alerts(this.ctx, query);
  notify = (): Promise<NotifyTick> => notifications.notify(this.ctx);
  stopNotify = (): Promise<void> => notifications.stopNotify(this.ctx);
  get notifyEveryMs(): number {
    return this.ctx.maintenance.webhooks.pollMs;
  }

  close = (): Promise<void> => this.ctx.store.close();

  /**
   * Reads first sweep what fell due (expired leases, reservations of offline workers), so every
   * view agrees; a sweep that cannot write (a full disk) does not keep the read from answering.
   */
  private async sweepBeforeRead(): Promise<void> {
    await this.ctx.sweeper.sometimes(() => leases.sweep(this.ctx)).catch(() => undefined);
  }
}

function newContext(options: LocalBatonOptions): AppContext {
  const clock = options.clock ?? systemClock;
  const { store, policy } = options;
  const presence = new WorkerPresence(store, policy, clock);
  // The push offers through a transaction of the context it belongs to.
  let ctx: AppContext;
  const push = new CriticalPush(() => ({
    store,
    policy,
    listWorkers: () => presence.list(),
    offer: (id) => assignment.offerTaskNow(ctx, id),
  }));
  ctx = {
    store,
    policy,
    clock,
    actor: options.actor ?? null,
    random: options.random ?? Math.random,
    patterns: options.patterns ?? defaultRegistry,
    patternsFile: options.patternsFile ?? null,
    presence,
    keys: new KeyRing(store, clock),
    sweeper: new LeaseSweeper(clock),
    push,
    logDir: options.logDir ?? null,
    maintenance: options.maintenance ?? maintenance.defaultMaintenance(store),
    plannerBreakers: options.plannerBreakers ?? new PlannerBreakers(),
  };
  return ctx;
}
