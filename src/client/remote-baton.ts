import type {
  Analytics,
  AnalyticsQuery,
  AssignInput,
  AttemptLogAppended,
  AttemptLogInput,
  AttemptLogQuery,
  AttemptLogText,
  BackupInput,
  BackupList,
  BackupResult,
  Baton,
  BatonDescription,
  BreakdownAllOptions,
  BreakdownAllResult,
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
  ComplexityOverview,
  ComplexityReportQuery,
  ContributeInput,
  CreatedKey,
  CreateKeyInput,
  CreateTaskInput,
  DependencyInput,
  EventQuery,
  EventWatch,
  ExportPlanQuery,
  FailInput,
  FleetReportInput,
  GcInput,
  GcReport,
  Health,
  ImportPlanInput,
  ImportSummary,
  LeaseRef,
  ListQuery,
  NoteInput,
  PauseInput,
  PlanDocument,
  PlanImport,
  PoolStatus,
  ProgressInput,
  QueuesReport,
  RegisterWorkerInput,
  RestoreInput,
  RestoreResult,
  ReviewTaskInput,
  RunDetail,
  RunQueryInput,
  SystemStatus,
  TaskAnalysis,
  TaskCounts,
  TaskDetail,
  TaskFilter,
  TaskPage,
  TeamInput,
  TeamView,
  UnassignInput,
  UpdateTaskInput,
  WorkerDetail,
  WorkerHeartbeatInput,
  WorkerLoad,
  WorkflowAdded,
  WorkflowRecord,
  WorkflowRun,
  WorkflowSummary,
  WorkflowValidation,
} from '../app/baton.js';
import type { AssignmentExplanation, Bid } from '../core/assignment.js';
import type { BreakdownSubject } from '../core/breakdown/types.js';
import { BatonError } from '../core/errors.js';
import type { Resource } from '../core/resources.js';
import { fleetReportSchema } from '../core/schemas/fleet.js';
import type { SetResourceInput } from '../core/schemas.js';
import {
  type BidInput,
  bidSchema,
  breakdownOptionsSchema,
  cancelSchema,
  claimManySchema,
  claimTaskSchema,
  eventsQuerySchema,
  parseWith,
  setResourceSchema,
  unassignSchema,
} from '../core/schemas.js';
import type { ApiKey, BatonDump, Task, TaskEvent, Team, WorkerView } from '../core/types.js';
import { CompletionBatcher } from './completion-batcher.js';
import { followStream } from './event-stream.js';
import { HttpClient, type WireError, wireError } from './http.js';
import * as query from './query.js';
import * as integrations from './remote-integrations.js';
import * as keys from './remote-keys.js';
import * as maintenance from './remote-maintenance.js';
import * as remotePlanning from './remote-planning.js';
import * as remoteQueues from './remote-queues.js';
import * as runs from './remote-runs.js';
import * as remoteTeams from './remote-teams.js';
import type { MetricsJson } from './remote-views.js';
import * as views from './remote-views.js';
import * as webhooks from './remote-webhooks.js';

export type { MetricsJson };

/** An answer of `POST /completions`: the task, or the refusal as it travels. */
type WireCompletionResult = { id: number; ok: true; task: Task } | { id: number; ok: false; error: WireError };

/** The server answers a long-poll claim after at most this long; longer waits are several polls. */
const MAX_POLL_SECONDS = 60;

export interface RemoteBatonOptions {
  /** The server, such as `http://127.0.0.1:7420`. */
  url: string;
  token?: string | undefined;
  /** How long a call keeps retrying a server that cannot be reached, in ms (default 30 s). */
  retryMs?: number | undefined;
}

/**
 * `Baton` over the HTTP API: the CLI and the worker loop run unchanged against a remote server.
 * Inputs the wire reshapes (queries, claims, options) are checked here by the core schemas, so a
 * field or value the server would never see is refused as LocalBaton refuses it.
 */
export class RemoteBaton implements Baton {
  private readonly token: string | undefined;
  private readonly http: HttpClient;
  private readonly completions: CompletionBatcher;

  constructor(options: RemoteBatonOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new BatonError('invalid_argument', `server: "${options.url}" is not a URL (such as http://127.0.0.1:7420)`, {
        field: 'server',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BatonError('invalid_argument', 'server: must be an http:// or https:// URL', { field: 'server' });
    }
    this.token = options.token;
    this.http = new HttpClient(url.href.replace(/\/+$/, ''), options.token, options.retryMs ?? 30_000);
    this.completions = new CompletionBatcher({
      batch: (rawBody) => this.postCompletions(rawBody),
      single: (id, input) => this.http.call('POST', `/tasks/${id}/complete`, { body: input }),
    });
  }

  createTask(input: CreateTaskInput): Promise<Task> {
    return this.http.call('POST', '/tasks', { body: input });
  }

  getTask(id: number): Promise<Task> {
    return this.http.call('GET', `/tasks/${id}`);
  }

  showTask(id: number): Promise<TaskDetail> {
    return this.http.call('GET', `/tasks/${id}`, { query: { detail: true } });
  }

  listTasks = (raw: ListQuery = {}): Promise<TaskPage> => query.listTasks(this.http, raw);
  countTasks = (raw: TaskFilter = {}): Promise<TaskCounts> => query.countTasks(this.http, raw);

  bulk(input: BulkInput): Promise<BulkResult> {
    return this.http.call('POST', '/tasks/bulk', { body: input });
  }

  updateTask(id: number, input: UpdateTaskInput, options: { ifVersion?: number } = {}): Promise<Task> {
    return this.http.call('PATCH', `/tasks/${id}`, { body: input, headers: query.ifMatch(options) });
  }

  async cancelTask(id: number, raw: { reason?: string } = {}): Promise<Task> {
    const options = parseWith(cancelSchema, raw);
    return this.http.call('POST', `/tasks/${id}/cancel`, { body: options.reason ? { reason: options.reason } : {} });
  }

  retryTask(id: number): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/retry`, { body: {} });
  }

  pauseTask(id: number): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/pause`, { body: {} });
  }

  resumeTask(id: number): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/resume`, { body: {} });
  }

  addDependencies(id: number, dependsOn: DependencyInput[], options: { ifVersion?: number } = {}): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/dependencies`, { body: { dependsOn }, headers: query.ifMatch(options) });
  }

  removeDependency(id: number, dependsOn: number, options: { ifVersion?: number } = {}): Promise<Task> {
    return this.http.call('DELETE', `/tasks/${id}/dependencies/${dependsOn}`, { headers: query.ifMatch(options) });
  }

  assignTask(id: number, workerId: string, options: Pick<AssignInput, 'force'> = {}): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/assign`, { body: { workerId, ...(options.force && { force: true }) } });
  }

  async bid(id: number, input: BidInput): Promise<Bid> {
    return this.http.call('POST', `/tasks/${id}/bids`, { body: parseWith(bidSchema, input) });
  }

  explainAssignment(id: number): Promise<AssignmentExplanation> {
    return this.http.call('GET', `/tasks/${id}/assignment`, { retry: 'always' });
  }

  async unassignTask(id: number, raw: UnassignInput = {}): Promise<Task> {
    const options = parseWith(unassignSchema, raw);
    return this.http.call('POST', `/tasks/${id}/unassign`, { body: options.reason ? { reason: options.reason } : {} });
  }

  analyze(target: number | BreakdownSubject): Promise<TaskAnalysis> {
    if (typeof target === 'number') return this.http.call('GET', `/tasks/${target}/analysis`);
    // The wire format has no nulls: an absent field and a null one mean the same here.
    const body = Object.fromEntries(Object.entries(target).filter(([, v]) => v !== null && v !== undefined));
    return this.http.call('POST', '/analyze', { body });
  }

  async breakdown(id: number, raw: BreakdownOptions = {}): Promise<BreakdownResult> {
    const options = parseWith(breakdownOptionsSchema, raw);
    return this.http.call('POST', `/tasks/${id}/breakdown`, {
      body: { ...(options.planner && { planner: options.planner }), ...(options.dryRun && { dryRun: true }) },
    });
  }

  async claim(request: ClaimInput): Promise<Task | null> {
    const [task] = await this.claimMany({ ...request, limit: 1 });
    return task ?? null;
  }

  /** Long-polls the server (≤ 60 s a request) until a task comes, the wait ends or `signal` aborts. */
  async claimMany(raw: ClaimManyInput): Promise<Task[]> {
    // The wire splits a long wait into polls: the server alone would never see one too long.
    const request = parseWith(claimManySchema, raw);
    const deadline = Date.now() + (request.waitSeconds ?? 0) * 1000;
    for (;;) {
      const wait = Math.min(MAX_POLL_SECONDS, Math.max(0, (deadline - Date.now()) / 1000));
      const body = {
        workerId: request.workerId,
        ...(request.capabilities !== undefined && { capabilities: request.capabilities }),
        ...(request.leaseSeconds !== undefined && { leaseSeconds: request.leaseSeconds }),
        ...(request.host !== undefined && { host: request.host }),
        ...(request.pid !== undefined && { pid: request.pid }),
        ...(wait > 0 && { wait: Math.round(wait * 1000) / 1000 }),
        ...(request.limit !== 1 && { limit: request.limit }),
        ...(request.withCommand && { withCommand: true }),
        ...(request.queues !== undefined && { queues: request.queues }),
      };
      let answer: { tasks: Task[] };
      try {
        answer = await this.http.call('POST', '/claims', { body, signal: request.signal });
      } catch (err) {
        if (request.signal?.aborted) return [];
        throw err;
      }
      if (answer.tasks.length > 0 || Date.now() >= deadline || request.signal?.aborted) return answer.tasks;
    }
  }

  async claimTask(id: number, raw: ClaimTaskInput): Promise<Task> {
    // Not repeated: a claim that did land would be refused the second time (the task is executing).
    return this.http.call('POST', `/tasks/${id}/claim`, { body: parseWith(claimTaskSchema, raw) });
  }

  heartbeat(id: number, lease: LeaseRef): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/heartbeat`, { body: lease, retry: 'always' });
  }

  reportProgress(id: number, input: ProgressInput): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/progress`, { body: input, retry: 'always' });
  }

  addNote(id: number, input: NoteInput): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/notes`, { body: input });
  }

  /** Completions asked together (in one turn of the event loop) travel as one request: see `CompletionBatcher`. */
  complete(id: number, input: CompleteTaskInput): Promise<Task> {
    return this.completions.complete(id, input);
  }

  async completeMany(items: CompletionItem[]): Promise<CompletionResult[]> {
    return this.postCompletions(JSON.stringify({ items }));
  }

  private async postCompletions(rawBody: string): Promise<CompletionResult[]> {
    const { results } = await this.http.call<{ results: WireCompletionResult[] }>('POST', '/completions', { rawBody });
    return results.map((r) =>
      r.ok ? r : { id: r.id, ok: false, error: wireError(r.error, 'internal', 'completion refused without a reason') },
    );
  }

  fail(id: number, input: FailInput): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/fail`, { body: input });
  }

  release(id: number, lease: LeaseRef): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/release`, { body: lease });
  }

  review(id: number, input: ReviewTaskInput): Promise<Task> {
    return this.http.call('POST', `/tasks/${id}/review`, { body: input });
  }

  async expireLeases(): Promise<number[]> {
    return (await this.http.call<{ expired: number[] }>('POST', '/leases/expire', { body: {} })).expired;
  }

  /** Not retried: a piece sent twice would be kept twice. */
  appendAttemptLog(id: number, input: AttemptLogInput): Promise<AttemptLogAppended> {
    return this.http.call('POST', `/tasks/${id}/logs`, { body: input });
  }

  attemptLog(id: number, query: AttemptLogQuery = {}): Promise<AttemptLogText> {
    return this.http.call('GET', `/tasks/${id}/logs`, { query: { attempt: query.attempt, tail: query.tail }, retry: 'always' });
  }

  registerWorker(input: RegisterWorkerInput): Promise<WorkerView> {
    return this.http.call('POST', '/workers', { body: input, retry: 'always' });
  }

  heartbeatWorker(input: WorkerHeartbeatInput): Promise<WorkerView> {
    const { workerId, usage } = input;
    return this.http.call('POST', `/workers/${encodeURIComponent(workerId)}/heartbeat`, { body: { usage }, retry: 'always' });
  }

  unregisterWorker(id: string): Promise<WorkerView> {
    return this.http.call('DELETE', `/workers/${encodeURIComponent(id)}`, { retry: 'always' });
  }

  listWorkers = (options: { available?: boolean } = {}): Promise<WorkerView[]> => views.listWorkers(this.http, options);
  showWorker = (id: string): Promise<WorkerDetail> => views.showWorker(this.http, id);
  analytics = (raw: AnalyticsQuery = {}): Promise<Analytics> => views.analytics(this.http, raw);
  burndown = (id: number): Promise<Burndown> => views.burndown(this.http, id);

  async listResources(): Promise<Resource[]> {
    return (await this.http.call<{ resources: Resource[] }>('GET', '/resources')).resources;
  }

  async setResource(raw: SetResourceInput): Promise<Resource> {
    // Checked here too: an empty name would not even reach the route.
    const input = parseWith(setResourceSchema, raw);
    return this.http.call('PUT', `/resources/${encodeURIComponent(input.name)}`, {
      body: { capacity: input.capacity },
      retry: 'always',
    });
  }

  status(): Promise<SystemStatus> {
    return this.http.call('GET', '/status');
  }

  /** The server's Prometheus metrics, in the text exposition format (what a scraper reads at `/metrics`). */
  metricsText(): Promise<string> {
    return this.http.text('/metrics');
  }

  /** The same metrics as prom-client's JSON (`GET /api/v1/metrics`). */
  async metricsJson(): Promise<MetricsJson> {
    return (await this.http.call<{ metrics: MetricsJson }>('GET', '/metrics')).metrics;
  }

  async health(): Promise<Health> {
    const answer = await this.http.call<Health & Record<string, unknown>>('GET', '/health', { answerOn: [503] });
    if (typeof answer.ok !== 'boolean') throw new BatonError('server_unavailable', 'the server answered 503: unavailable');
    return { ok: answer.ok, store: answer.store, at: answer.at, ...(answer.problem && { problem: answer.problem }) };
  }

  describe(): Promise<BatonDescription> {
    return this.http.call('GET', '/describe');
  }

  async latestEventId(): Promise<number> {
    return (await this.http.call<{ id: number }>('GET', '/events/latest')).id;
  }

  /** Follows the server's live event stream (SSE), reconnecting as a browser would. */
  watchEvents(listener: (lastEventId: number) => void): EventWatch {
    const stop = new AbortController();
    void followStream({
      url: this.http.urlOf('/events'),
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      signal: stop.signal,
      onEvent: listener,
      start: () => this.latestEventId(),
    });
    return { pushes: true, stop: () => stop.abort() };
  }

  createKey = (input: CreateKeyInput): Promise<CreatedKey> => keys.createKey(this.http, input);
  listKeys = (): Promise<ApiKey[]> => keys.listKeys(this.http);
  revokeKey = (id: string): Promise<ApiKey> => keys.revokeKey(this.http, id);
  verifyKey = (presented: string): Promise<ApiKey | null> => keys.verifyKey(this.http, presented);
  hasActiveKeys = (): Promise<boolean> => keys.hasActiveKeys(this.http);

  validateWorkflow = (source: string, options: { file?: string } = {}): Promise<WorkflowValidation> =>
    runs.validateWorkflow(this.http, source, options);
  addWorkflow = (source: string, options: { file?: string } = {}): Promise<WorkflowAdded> =>
    runs.addWorkflow(this.http, source, options);
  listWorkflows = (): Promise<WorkflowSummary[]> => runs.listWorkflows(this.http);
  getWorkflow = (name: string, options: { version?: number } = {}): Promise<WorkflowRecord> =>
    runs.getWorkflow(this.http, name, options);
  startRun = (name: string, options: { params?: Record<string, unknown>; version?: number } = {}) =>
    runs.startRun(this.http, name, options);
  getRun = (id: number): Promise<RunDetail> => runs.getRun(this.http, id);
  listRuns = (query: RunQueryInput = {}): Promise<WorkflowRun[]> => runs.listRuns(this.http, query);
  cancelRun = (id: number, options: { reason?: string } = {}): Promise<RunDetail> => runs.cancelRun(this.http, id, options);
  approveStep = (id: number, step: string, options: { reject?: boolean; comment?: string } = {}): Promise<RunDetail> =>
    runs.approveStep(this.http, id, step, options);

  /** Pages through the server's history (at most 10,000 events an answer) up to `limit`. */
  async events(raw: EventQuery = {}): Promise<TaskEvent[]> {
    const query = parseWith(eventsQuerySchema, raw);
    const all: TaskEvent[] = [];
    let afterId = query.afterId ?? 0;
    for (;;) {
      const want = Math.min(10_000, (query.limit ?? Number.POSITIVE_INFINITY) - all.length);
      const page = (
        await this.http.call<{ events: TaskEvent[] }>('GET', '/events/history', {
          query: { taskId: query.taskId, taskIds: query.taskIds?.join(','), perTask: query.perTask, afterId, limit: want },
        })
      ).events;
      all.push(...page);
      if (page.length < want || all.length >= (query.limit ?? Number.POSITIVE_INFINITY)) return all;
      afterId = (page.at(-1) as TaskEvent).id;
    }
  }

  exportData(): Promise<BatonDump> {
    return this.http.call('GET', '/export');
  }

  importData(data: unknown): Promise<ImportSummary> {
    return this.http.call('POST', '/import', { body: data });
  }

  readyByCapabilities = async (): Promise<CapabilityCount[]> =>
    (await this.http.call<{ ready: CapabilityCount[] }>('GET', '/fleet/ready')).ready;
  reportFleet = async (report: FleetReportInput): Promise<void> => {
    await this.http.call('PUT', '/fleet', { body: parseWith(fleetReportSchema, report) });
  };
  fleetStatus = async (): Promise<PoolStatus[]> => (await this.http.call<{ pools: PoolStatus[] }>('GET', '/fleet')).pools;

  backup = (input?: BackupInput): Promise<BackupResult> => maintenance.backup(this.http, input);
  listBackups = (): Promise<BackupList> => maintenance.listBackups(this.http);
  restore = (input: RestoreInput): Promise<RestoreResult> => maintenance.restore(this.http, input);
  gc = (input?: GcInput): Promise<GcReport> => maintenance.gc(this.http, input);
  receiveHook: Baton['receiveHook'] = (name, delivery) => integrations.receiveHook(this.http, name, delivery);
  githubImport: Baton['githubImport'] = (input) => integrations.githubImport(this.http, input);
  githubSync: Baton['githubSync'] = (options) => integrations.githubSync(this.http, options);
  githubLinks: Baton['githubLinks'] = (options) => integrations.githubLinks(this.http, options);
  addWebhook: Baton['addWebhook'] = (input) => webhooks.addWebhook(this.http, input);
  listWebhooks: Baton['listWebhooks'] = () => webhooks.listWebhooks(this.http);
  removeWebhook: Baton['removeWebhook'] = (id) => webhooks.removeWebhook(this.http, id);
  enableWebhook: Baton['enableWebhook'] = (id) => webhooks.enableWebhook(this.http, id);
  webhookDeliveries: Baton['webhookDeliveries'] = (query) => webhooks.deliveries(this.http, query);
  alerts: Baton['alerts'] = (query) => webhooks.alerts(this.http, query);

  pauseClaims = (input?: PauseInput): Promise<QueuesReport> => remoteQueues.pauseClaims(this.http, input);
  resumeClaims = (input?: PauseInput): Promise<QueuesReport> => remoteQueues.resumeClaims(this.http, input);
  queues = (): Promise<QueuesReport> => remoteQueues.queues(this.http);
  addTeam = (input: TeamInput): Promise<Team> => remoteTeams.addTeam(this.http, input);
  listTeams = (): Promise<TeamView[]> => remoteTeams.listTeams(this.http);
  contribute = (id: number, input: ContributeInput): Promise<Task> => remoteTeams.contribute(this.http, id, input);
  workerLoad = (): Promise<WorkerLoad[]> => remoteTeams.workerLoad(this.http);
  complexityReport = (query?: ComplexityReportQuery): Promise<ComplexityOverview> =>
    remotePlanning.complexityReport(this.http, query);
  breakdownAll = (options?: BreakdownAllOptions): Promise<BreakdownAllResult> => remotePlanning.breakdownAll(this.http, options);
  importPlan = (input: ImportPlanInput): Promise<PlanImport> => remotePlanning.importPlan(this.http, input);
  exportPlan = (query?: ExportPlanQuery): Promise<PlanDocument> => remotePlanning.exportPlan(this.http, query);

  async close(): Promise<void> {
    this.http.close();
  }
}
